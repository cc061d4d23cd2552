import { InvalidArgumentError } from 'commander';
import type { DataFormat } from '../data/example.js';

/** Option parsers shared by the subcommands; a bad value is a usage error (exit code 2). */

export const DATA_FORMATS: readonly DataFormat[] = ['rasa', 'jointbert', 'csv', 'jsonl'];

export function parseFormat(value: string): DataFormat {
  if (!DATA_FORMATS.includes(value as DataFormat)) {
    throw new InvalidArgumentError(`expected one of ${DATA_FORMATS.join(', ')}`);
  }
  return value as DataFormat;
}

export function parseDevice(value: string): 'cpu' | 'cuda' {
  if (value !== 'cpu' && value !== 'cuda') throw new InvalidArgumentError('expected cpu or cuda');
  return value;
}

function parseWholeNumber(value: string, least: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < least) {
    throw new InvalidArgumentError(`expected a whole number >= ${least}`);
  }
  return number;
}

export function parseNonNegativeInt(value: string): number {
  return parseWholeNumber(value, 0);
}

export function parsePositiveInt(value: string): number {
  return parseWholeNumber(value, 1);
}
