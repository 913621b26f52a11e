/**
 * `str(float(x))` as Python prints it: the shortest round-trip digits (as JavaScript's), but an integral value keeps
 * `.0` (`31.0`) and the exponent form is used below 1e-4 and from 1e16 on, with a signed two-digit exponent (`1e-05`).
 */
export function pythonFloatString(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exp] = x.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
