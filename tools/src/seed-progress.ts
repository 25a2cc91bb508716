import type { SeedProgress } from '@icg/synthetic';

/** One line of seeding progress: done, share, rate and time left. */
export function formatProgress(progress: SeedProgress): string {
  const fraction = progress.customersDone / progress.customersTotal;
  const rate = progress.customersDone / Math.max(progress.elapsedMs / 1000, 0.001);
  const remaining = (progress.customersTotal - progress.customersDone) / Math.max(rate, 0.001);
  return `seeded ${progress.customersDone.toLocaleString('en')} / ${progress.customersTotal.toLocaleString('en')} customers (${(fraction * 100).toFixed(0)}%), ${Math.round(rate)}/s, ~${Math.ceil(remaining)} s left`;
}
