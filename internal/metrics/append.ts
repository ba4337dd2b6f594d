/**
 * Two expositions served as one (the engine's `/metrics` with the history process's appended): each metric family
 * may appear once in a scrape, so a family of the second that the first already has is left out (the gauges of NATS
 * and workflows are the engine's). A family is its `# HELP` and `# TYPE` lines and the samples after them.
 */

const commentName = /^# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)/;

function familiesOf(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const name = commentName.exec(line)?.[1];
    if (name) names.add(name);
  }
  return names;
}

export function appendExposition(first: string, second: string): string {
  const known = familiesOf(first);
  let family = "";
  const kept = second.split("\n").filter((line) => {
    const name = commentName.exec(line)?.[1];
    if (name) family = name;
    return line.trim() !== "" && !known.has(family);
  });
  if (kept.length === 0) return first;
  const head = first === "" || first.endsWith("\n") ? first : `${first}\n`;
  return `${head}${kept.join("\n")}\n`;
}
