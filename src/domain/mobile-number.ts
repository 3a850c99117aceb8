/**
 * Callers send numbers as 12-digit strings with the country code (919999999999), some as
 * +91…, some with spaces. One canonical form is stored: E.164 digits without the plus.
 * A bare 10-digit number is taken as Indian, as UPI callers send it.
 */
export function canonicalMobileNumber(input: string): string | null {
  const compact = input.trim().replace(/[\s-]/g, '');
  const digits = compact.startsWith('+') ? compact.slice(1) : compact;
  if (!/^\d+$/.test(digits)) return null;
  if (digits.length === 10) return `91${digits}`;
  if (digits.length < 11 || digits.length > 15 || digits.startsWith('0')) return null;
  return digits;
}

/** For logs: keeps the country code and the last two digits only. */
export function maskMobileNumber(number: string): string {
  if (number.length <= 4) return '*'.repeat(number.length);
  return number.slice(0, 2) + '*'.repeat(number.length - 4) + number.slice(-2);
}
