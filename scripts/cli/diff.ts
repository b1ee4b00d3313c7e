import { appendFileSync } from 'node:fs';
import { runCommand, UsageError } from '../lib/errors.ts';
import { mergeDiffOutcomes, runDiff } from '../diff/command.ts';
import { readOutcomeFiles } from '../diff/outcome-files.ts';
import { printable, printErr, printOut, writeReport } from '../lib/output.ts';
import { outputFileOption, rootOption } from '../lib/paths.ts';
import { parseShard } from '../lib/shard.ts';
import { ACTIONS_BOT_LOGIN, pullNumberFromEvent, upsertStickyComment } from '../diff/comment.ts';
import { formatMarkdown, formatText } from '../diff/format.ts';
import { git } from '../lib/git.ts';
import { connectGitHub, explained } from '../lib/github.ts';
import { parseCommandArgs } from './args.ts';

const HELP = `usage: npm run diff -- --base REF [--head REF | --worktree] [--format md|json|text] [--cluster NAME]…
                       [--shard I/N] [--out FILE] [--summary] [--comment [--pr N] [--repo OWNER/NAME]
                       [--comment-author LOGIN]] [--root DIR]
       npm run diff -- --merge SHARD.json… [--format md|json|text] [--out FILE] [--summary] [--comment …]

What a change does to every cluster, before merge: renders the clusters whose inputs changed on both
sides (the merge base of REF and the head, or the working tree) and reports, per cluster and app,
chart versions, merged values and rendered resources added, removed and changed (field by field).
The same change on many clusters reads as one entry; Secret values are masked.

  --base REF        what the change is compared with (for a pull request: origin/main)
  --head REF        the changed commit (default: the working tree, as --worktree)
  --format FORMAT   md (pull-request comment), json (machines), text (default: text)
  --cluster NAME    only these clusters
  --shard I/N       only the affected clusters of the I-th of N stable slices (by a hash of each name), for a
                    CI matrix: write each shard's --format json --out, then join them with --merge
  --merge           read the shards' --format json files named after the options and report them as one
  --out FILE        also write the report in FORMAT to FILE (json: the full diff, for an artifact)
  --summary         append the Markdown to $GITHUB_STEP_SUMMARY (a fork's pull request, whose token cannot comment)
  --comment         as --summary, and create or update the one diff comment on the pull request (GITHUB_TOKEN;
                    --pr or the pull_request event): the marker comment written by --comment-author
  --comment-author LOGIN
                    who GITHUB_TOKEN comments as (default ${ACTIONS_BOT_LOGIN}; an App token: <app-slug>[bot]);
                    a marker comment anyone else wrote is never edited

exit codes: 0 report written (changes or not), 2 usage, git, tool or GitHub error (or a --merge file that is not
            a diff --format json file or repeats a shard)`;

await runCommand(async () => {
  const { values, positionals } = parseCommandArgs(
    process.argv.slice(2),
    {
      base: { type: 'string' },
      head: { type: 'string' },
      worktree: { type: 'boolean' },
      format: { type: 'string' },
      cluster: { type: 'string', multiple: true },
      out: { type: 'string' },
      comment: { type: 'boolean' },
      'comment-author': { type: 'string' },
      summary: { type: 'boolean' },
      pr: { type: 'string' },
      repo: { type: 'string' },
      root: { type: 'string' },
      shard: { type: 'string' },
      merge: { type: 'boolean' },
    },
    { positionals: true },
  );
  if (values.help) return void console.log(HELP);
  if (!values.merge && positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}\nfix: shard files go with --merge`);
  if (!values.merge && !values.base) throw new UsageError('--base is required (for example --base origin/main)');
  if (values.head && values.worktree) throw new UsageError('give --head or --worktree, not both');
  if (values['comment-author'] !== undefined && !values.comment) throw new UsageError('--comment-author goes with --comment');
  const format = values.format ?? 'text';
  if (!['md', 'json', 'text'].includes(format)) throw new UsageError(`--format ${format}: use md, json or text`);
  const root = rootOption(values.root);
  const out = outputFileOption(values.out, '--out');
  const outcome = values.merge
    ? mergeDiffOutcomes(readOutcomeFiles(positionals))
    : await runDiff({
        root,
        base: values.base!,
        head: values.head,
        clusters: values.cluster?.flatMap((c) => c.split(',')),
        shard: parseShard(values.shard),
        progress: printErr,
      });
  const title = `Monitoring fleet diff: ${outcome.baseCommit.slice(0, 7)} → ${outcome.head === 'worktree' ? 'working tree' : outcome.head.slice(0, 7)}`;
  const render = (f: string) =>
    f === 'json' ? `${JSON.stringify(outcome, null, 2)}\n` : f === 'md' ? formatMarkdown(outcome.diff, title) : formatText(outcome.diff, title);
  if (out) writeReport(out, render(format));
  printOut(render(format));
  console.error(`diff: ${outcome.diff.changed.length} cluster(s) changed, ${outcome.rendered.length} rendered, ${outcome.seconds.toFixed(1)}s`);
  if (!values.comment && !values.summary) return;
  const markdown = formatMarkdown(outcome.diff, title);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${printable(markdown)}\n`);
  if (!values.comment) return;
  const github = connectGitHub(
    process.env.GITHUB_TOKEN,
    '--comment needs a token with pull-requests: write',
    values.repo,
    await git(root, ['remote', 'get-url', 'origin']).catch(() => ''),
  );
  const pr = values.pr ? Number(values.pr) : await pullNumberFromEvent();
  if (!pr) throw new UsageError('--comment needs the pull request: --pr N, or run it in a pull_request workflow');
  const author = values['comment-author'] ?? ACTIONS_BOT_LOGIN;
  const result = await explained(upsertStickyComment(github.client, github.target, pr, markdown, author), {
    what: 'the comment',
    rerun: 'run diff --comment again',
  });
  console.error(`diff: comment ${result.id} ${result.action} on pull request #${pr}`);
  if (result.author && result.author.toLowerCase() !== author.toLowerCase())
    console.error(
      `diff: warning: the token comments as ${result.author}, not ${author}; pass --comment-author '${result.author}', or every run adds another comment`,
    );
});
