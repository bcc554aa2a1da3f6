import { DebbieError } from '@debbie/model';

/** A configuration problem: `path` is the dotted path of the bad key (e.g. `handlers.debbie_file.maxBytes`). */
export class ConfigError extends DebbieError {
  readonly path: string;

  constructor(path: string, message: string, file?: string) {
    super('invalid_config', `${path ? `${path}: ` : ''}${message}`, file);
    this.name = 'ConfigError';
    this.path = path;
  }
}
