/** `{}`: the SDKs need a JSON body even when there is nothing to say. */
export class EmptyResponseDto {}
