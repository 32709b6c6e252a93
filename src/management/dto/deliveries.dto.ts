import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DeliveriesQueryDto {
  /**
   * The login ID whose deliveries to list, newest first.
   * @example "ada@example.com"
   */
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  loginId!: string;
}

export class DeliveryDto {
  /** @example "D2b7KqVhQ1xS0eYp3TtA9mWcZf4" */
  deliveryId!: string;
  challengeId!: string;
  projectId!: string;
  loginId!: string;
  /** @example "email" */
  channel!: string;
  /** Position in the project's fallback chain; 0 for the channel asked for. */
  step!: number;
  /** @example "a***@example.com" */
  recipient!: string;
  /** @example "smtp" */
  provider!: string | null;
  /** queued → sent → delivered, or failed. @example "sent" */
  state!: string;
  attempts!: number;
  providerMessageId!: string | null;
  providerError!: string | null;
  requestId!: string | null;
  /** Unix milliseconds. */
  createdTime!: number;
  updatedTime!: number;
  sentTime!: number | null;
  deliveredTime!: number | null;
  failedTime!: number | null;
}

export class DeliveryListDto {
  deliveries!: DeliveryDto[];
}

export class DeliveryResponseDto {
  delivery!: DeliveryDto;
}
