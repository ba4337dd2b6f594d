// Every link in README.md and docs/*.md leads to a file of this repository (and an `#anchor` to a heading of it, as
// GitHub names them), so the documentation can be read from a clone or on GitHub without a dead link, and none of it
// points outside the repository.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pages = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/**
 * The text a reader sees as prose: fenced code blocks and inline code spans blanked out. A code span may go on over
 * a line break, as long as no blank line ends its paragraph.
 */
function prose(markdown: string): string {
  return markdown
    .replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "")
    .replace(/`(?:[^`\n]|\n(?![ \t]*\n))*`/g, "``");
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces made dashes. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .replace(/<[^>]+>/g, "");
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2` ... as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const withoutCode = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "");
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1] ?? "");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

/** Inline links and images (`[text](target)`, `![alt](target)`) and reference definitions (`[x]: target`). */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? "");
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] ?? "");
  return [...inline, ...definitions];
}

/** What is wrong with one link of `page`, or undefined when it leads where it says. */
function problem(page: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `${target} leaves the repository`;
  const hash = target.indexOf("#");
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? "" : decodeURIComponent(target.slice(hash + 1));
  const file = pathPart === "" ? join(root, page) : resolve(root, dirname(page), pathPart);
  const inside = relative(root, file);
  if (inside.startsWith("..") || resolve(root, inside) !== file) return `${target} leaves the repository`;
  if (!existsSync(file)) return `${target}: no such file (${inside})`;
  if (anchor === "") return undefined;
  if (statSync(file).isDirectory() || !file.endsWith(".md"))
    return `${target}: an anchor into a file with no headings`;
  return anchors(readFileSync(file, "utf8")).has(anchor)
    ? undefined
    : `${target}: no heading #${anchor} in ${inside}`;
}

describe("links in the documentation", () => {
  it("knows GitHub's anchors", () => {
    expect(slug("Buckets (`s3://` and `gs://`)")).toBe("buckets-s3-and-gs");
    expect(slug("`taskmaster plan`")).toBe("taskmaster-plan");
    expect(slug("flowlord's keys")).toBe("flowlords-keys");
    expect(slug("A finished task (the done topic)")).toBe("a-finished-task-the-done-topic");
    expect([...anchors("# Tasks\n\n```md\n# not a heading\n```\n\n## Tasks\n")]).toEqual([
      "tasks",
      "tasks-1",
    ]);
  });

  it("finds links, and none inside code", () => {
    const text =
      '[a](docs/a.md) `[b](b.md)` ![c](static/c.png "C") `see\n[f](f.md)`\n\n```\n[d](d.md)\n```\n[e]: ../e.md\n';
    expect(links(text)).toEqual(["docs/a.md", "static/c.png", "../e.md"]);
  });

  it("reads README.md and every page in docs/", () => {
    expect(pages).toContain("docs/configuration.md");
    expect(pages.length).toBeGreaterThan(5);
  });

  it("has every relative link resolve to a file in the repository, and every anchor to a heading", () => {
    const problems = pages.flatMap((page) =>
      links(readFileSync(join(root, page), "utf8")).flatMap((target) => {
        const wrong = problem(page, target);
        return wrong === undefined ? [] : [`${page}: ${wrong}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("has no web address outside code, where GitHub would make it a link", () => {
    const addresses = pages.flatMap((page) =>
      [...prose(readFileSync(join(root, page), "utf8")).matchAll(/\b(?:https?:\/\/|www\.)\S+/g)].map(
        (m) => `${page}: ${m[0]}`,
      ),
    );
    expect(addresses).toEqual([]);
  });
});
