/** The body of every failure. */
export class ErrorResponseDto {
  /** Stable code. @example "E011003" */
  errorCode: string;
  /** What kind of error. @example "Invalid request" */
  errorDescription: string;
  /** What went wrong, naming the field when there is one. @example "loginId must be a string" */
  errorMessage: string;
}
