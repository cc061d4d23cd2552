import { chatCommand } from './chat.js';
import { discordRegisterCli } from './discord-register.js';
import type { CliCommand } from './command.js';
import { importCommand } from './import.js';
import { modelsCommand } from './models.js';
import { promoteCommand } from './promote.js';
import { retrainCommand } from './retrain.js';
import { rollbackCommand } from './rollback.js';
import { evalCommand } from './eval.js';
import { predictCommand } from './predict.js';
import { trainCommand } from './train.js';

/** Every `parley` subcommand, in the order `parley --help` lists them. Add new ones here. */
export const commands: CliCommand[] = [
  trainCommand,
  evalCommand,
  predictCommand,
  chatCommand,
  retrainCommand,
  modelsCommand,
  promoteCommand,
  rollbackCommand,
  importCommand,
  discordRegisterCli,
];
