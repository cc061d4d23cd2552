/** Number formatting shared by the gate and the reports. Metrics are fractions in 0..1. */

/** Three decimals: the gate works in half points, so two would hide a deciding difference. */
export function fixed(value: number): string {
  return value.toFixed(3);
}

/** A fraction as points: 0.005 -> "0.5 points". */
export function points(fraction: number): string {
  const value = Number((fraction * 100).toFixed(2));
  return `${value} ${value === 1 ? 'point' : 'points'}`;
}

/** A change as signed points with one decimal: -0.0123 -> "-1.2 pts", 0 -> "±0.0 pts". */
export function signedPoints(delta: number): string {
  const value = Math.round(delta * 1000) / 10;
  const sign = value > 0 ? '+' : value < 0 ? '-' : '±';
  return `${sign}${Math.abs(value).toFixed(1)} pts`;
}

/** A fraction as a percentage with at most one decimal: 0.5 -> "50%". */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}
