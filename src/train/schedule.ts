/**
 * Learning-rate schedule: linear warm-up from 0 to the peak over `warmupSteps`, then linear or
 * cosine decay to `floor * peak` at `totalSteps`. Steps count from 0; past `totalSteps` the rate
 * stays at the floor (early stopping may end sooner, extra epochs never raise it again).
 */
export interface LearningRateSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  decay: 'linear' | 'cosine';
  /** Fraction of the peak reached at the end, 0..1. */
  floor: number;
}

export function learningRateAt(step: number, schedule: LearningRateSchedule): number {
  const { peak, warmupSteps, totalSteps, decay, floor } = schedule;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;

  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  const shape = decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return peak * (floor + (1 - floor) * shape);
}
