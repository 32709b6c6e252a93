import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string; every timestamp here is unix milliseconds as a number. */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
