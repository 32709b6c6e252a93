/** `ada@example.com` → `a***@example.com`: enough for the user to recognise, too little to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+14155550123` → `+*******0123`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 4) return '***';
  return `${phone.startsWith('+') ? '+' : ''}${'*'.repeat(Math.max(3, phone.length - 5))}${phone.slice(-4)}`;
}
