import type { TokenService } from '../auth/tokens.js';
import { durationToMillis } from '../calendar/duration.js';
import type { MarketHost } from '../host/markets.js';
import { canBeChild } from '../market/nested.js';
import { RulesError } from '../rules/load.js';
import type { Intertie } from './agent.js';
import { ParentLink } from './parent-link.js';
import { PowerMatcherParent } from './powermatcher-parent.js';

const TOKEN_SECONDS = 3600;

/**
 * The interties of the service's markets: a parent of this service is reached in process with
 * tokens the service mints for the child's party; a remote parent over HTTP(S) with the OAuth2
 * client secret named in the rules; a PowerMatcher cluster over its websocket protocol.
 * @throws RulesError when a remote parent's secret is missing from the environment
 */
export function intertiesOf(host: MarketHost, localFetch: typeof fetch, tokens: TokenService, wallClock: () => number,
  env: NodeJS.ProcessEnv = process.env): Intertie[] {
  const interties: Intertie[] = [];
  for (const child of host.markets) {
    const rules = child.rules.intertie;
    if (!rules || !canBeChild(child)) continue;
    const partyID = rules.partyID;
    if (rules.parent.kind === 'local') {
      const parent = host.byId(rules.parent.marketID)!;
      const tokenSource = async () => ({ token: await tokens.issue(partyID, ['register', 'enroll', 'tender', 'quote'], wallClock(), TOKEN_SECONDS), expiresInSeconds: TOKEN_SECONDS });
      const link = new ParentLink({ baseUrl: 'http://micromarket.internal', partyID, tokenSource, fetch: localFetch }, parent.rules.marketContext);
      interties.push({ child, link, parent: parent.rules.id });
      continue;
    }
    if (rules.parent.kind === 'powermatcher') {
      const link = new PowerMatcherParent(rules.parent.url, rules.parent.agentId, durationToMillis(rules.parent.minTimeBetweenBidUpdates));
      interties.push({ child, link, parent: `PowerMatcher cluster at ${rules.parent.url}` });
      continue;
    }
    const clientSecret = env[rules.parent.clientSecretEnv];
    if (!clientSecret) throw new RulesError([{ file: child.rules.id, reason: `intertie: the environment variable ${rules.parent.clientSecretEnv} (the client secret of ${partyID} at ${rules.parent.url}) is not set` }]);
    const link = new ParentLink({ baseUrl: rules.parent.url, partyID, credentials: { clientId: partyID, clientSecret } }, rules.parent.marketContext);
    interties.push({ child, link, parent: `${rules.parent.marketContext} at ${rules.parent.url}` });
  }
  return interties;
}
