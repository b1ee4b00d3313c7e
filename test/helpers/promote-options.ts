import { createGitHubClient } from '../../scripts/lib/github.ts';
import type { PromoteOptions } from '../../scripts/promote/command.ts';

/** runPromote's options for a dev → staging promotion of `root` against a GitHub stand-in (acme/fleet), fast retries; `extra` overrides. */
export function promoteOptions(root: string, github: { url: string; token: string }, extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    root,
    remote: 'origin',
    base: 'main',
    from: 'dev',
    to: 'staging',
    dryRun: false,
    labels: [],
    reviewers: [],
    draft: false,
    now: new Date(),
    progress: () => {},
    github: {
      client: createGitHubClient(github.token, { baseUrl: github.url, retryAfterBaseValue: 5, writeSpacing: 0 }),
      target: { owner: 'acme', repo: 'fleet' },
    },
    ...extra,
  };
}
