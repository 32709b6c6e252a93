/** JSON bodies may nest objects and arrays this deep, no deeper (Descope's bodies need 4). */
export const MAX_JSON_DEPTH = 32;

/**
 * C0 controls (NUL, newline, tab…), DEL and C1 controls, and unpaired UTF-16 surrogates (JSON's
 * `"\ud800"`). No field of the API needs one; NUL reaches PostgreSQL as an error, and a lone
 * surrogate is no character at all: the e-mail validator's `encodeURI` throws on it.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/**
 * True when the JSON text nests arrays and objects deeper than `max`. A scan of the text, so that a
 * body of 5,000 nested objects is refused before anything recursive (parser, validator, class
 * transformer) walks it.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The path (`user.name`, `loginIds[2]`) of the first string, or object key, in `value` that holds a
 * control character or a lone surrogate; null when there is none. Iterative, and only called on input whose depth is
 * already bounded.
 */
export function findForbiddenCharacter(value: unknown, root = ''): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (FORBIDDEN.test(item)) return path || 'value';
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => stack.push([element, `${path}[${index}]`]));
    } else if (item && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        const child = path ? `${path}.${key}` : key;
        if (FORBIDDEN.test(key)) return path || 'a key';
        stack.push([element, child]);
      }
    }
  }
  return null;
}
