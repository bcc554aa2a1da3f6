import { DebbieError } from '@debbie/model';
import type { Command, OptionSpec } from '../Command.js';
import { GLOBAL_OPTIONS } from '../main.js';
import { COMMANDS } from './index.js';

/** Every command with its flags (`--name`), for the completion scripts. */
async function commandFlags(): Promise<{ name: string; flags: string[]; values: Record<string, string[]> }[]> {
  const out = [];
  for (const entry of COMMANDS) {
    const cmd = await entry.load();
    const options: Record<string, OptionSpec> = { ...cmd.options, ...GLOBAL_OPTIONS };
    const values: Record<string, string[]> = {};
    for (const [name, o] of Object.entries(options)) {
      // "text|json" placeholders are the flag's choices: complete them too.
      if (o.type === 'string' && o.value && /^[a-z][\w-]*(\|[a-z][\w-]*)+$/.test(o.value)) values[`--${name}`] = o.value.split('|');
    }
    out.push({ name: cmd.name, flags: Object.keys(options).map((f) => `--${f}`), values });
  }
  return out;
}

function bash(commands: Awaited<ReturnType<typeof commandFlags>>): string {
  const names = [...commands.map((c) => c.name), 'help'].join(' ');
  const flagCases = commands.map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
  const valueCases = commands
    .flatMap((c) => Object.entries(c.values).map(([f, v]) => `    "${c.name} ${f}") COMPREPLY=( $(compgen -W "${v.join(' ')}" -- "$cur") ); return ;;`))
    .join('\n');
  return `# debbie completion for bash. Load it with:  source <(debbie completion bash)
_debbie() {
  local cur prev cmd flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${names} --help --version" -- "$cur") ); return
  fi
  if [[ "$cmd" == help ]]; then
    COMPREPLY=( $(compgen -W "${names}" -- "$cur") ); return
  fi
  case "$cmd $prev" in
${valueCases}
  esac
  case "$cmd" in
${flagCases}
    *) flags="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o default -F _debbie debbie
`;
}

function zsh(commands: Awaited<ReturnType<typeof commandFlags>>): string {
  // zsh runs bash completion functions through bashcompinit: one script, both shells.
  return `#compdef debbie
# debbie completion for zsh. Load it with:  source <(debbie completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(commands).split('\n').slice(1).join('\n')}`;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script for bash or zsh.',
  usage: 'bash|zsh',
  description: [
    'Examples:',
    '  debbie completion bash',
    '  source <(debbie completion bash)      # in ~/.bashrc',
    '  source <(debbie completion zsh)       # in ~/.zshrc',
  ].join('\n'),
  positionals: true,
  options: {},
  async run(_values, positionals, io) {
    const shell = positionals[0];
    if ((shell !== 'bash' && shell !== 'zsh') || positionals.length > 1) {
      throw new DebbieError('invalid_arguments', `name one shell: bash or zsh${shell ? ` (got "${positionals.join(' ')}")` : ''}`, 'debbie completion');
    }
    const commands = await commandFlags();
    io.stdout.write(shell === 'bash' ? bash(commands) : zsh(commands));
    return 0;
  },
};
