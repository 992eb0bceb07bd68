import { isPartyID, PARTY_ID_RULE } from '../auth/party-id.js';
import { scopes, TokenService, type Scope } from '../auth/tokens.js';
import { UsageError, type Command } from './command.js';

/** The scopes of a comma-separated --scope option; refuses none and unknown ones. */
export function scopeList(command: string, value: unknown): Scope[] {
  const asked = String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (asked.length === 0) throw new UsageError(`${command} needs --scope`);
  const unknown = asked.find((s) => !(scopes as readonly string[]).includes(s));
  if (unknown) throw new UsageError(`unknown scope ${unknown}; scopes are ${scopes.join(', ')}`);
  return asked as Scope[];
}

/** The party of a --party option, in the one party-ID grammar. */
export function partyOption(command: string, value: unknown): string {
  if (value === undefined) throw new UsageError(`${command} needs --party ID`);
  if (!isPartyID(value)) throw new UsageError(`--party: a party ID is ${PARTY_ID_RULE}, not ${JSON.stringify(value)}`);
  return value;
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'issue a bearer token for a party (operators)',
  usage: `Usage: micromarket token --party ID --scope SCOPE[,SCOPE...] [--data DIR] [--lifetime SECONDS]

Signs a bearer token with the service's key (in the data directory, created if missing) and prints
it. The token names the party and the scopes it may use:
  ${scopes.join(', ')}
"operator" may do everything, including acting for any party, approving enrollments and issuing
client credentials (POST /oauth/clients). Needs read access to the data directory, not the service.

Options:
  --party ID          the party the token acts for
  --scope LIST        comma-separated scopes
  --data DIR          data directory (default: $MICROMARKET_DATA or ./data)
  --lifetime SECONDS  validity (default: 3600)
  -h, --help          show this help`,
  options: { party: { type: 'string' }, scope: { type: 'string' }, data: { type: 'string' }, lifetime: { type: 'string' } },
  allowPositionals: false,
  async run(values) {
    const party = partyOption('token', values.party);
    const asked = scopeList('token', values.scope);
    const lifetime = Number(values.lifetime ?? 3600);
    if (!Number.isInteger(lifetime) || lifetime <= 0) throw new UsageError('--lifetime must be a positive whole number of seconds');
    const tokens = await TokenService.forDataDir(String(values.data ?? process.env.MICROMARKET_DATA ?? './data'));
    process.stdout.write(`${await tokens.issue(party, asked, Date.now(), lifetime)}\n`);
    return 0;
  },
};
