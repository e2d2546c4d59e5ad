// Reads one RSS document on stdin and writes what podcast-partytime (the Podcast Index's
// parser) keeps of it, as JSON, to the file named by the first argument. partytime logs
// its warnings ("Item has no enclosure, skipping it.") to stdout, where the caller sees them.
import { writeFileSync } from "node:fs";
import { parseFeed } from "podcast-partytime";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const feed = parseFeed(Buffer.concat(chunks).toString("utf8"));
const asJson = (_key, value) => (value instanceof Date ? value.toISOString() : value);
writeFileSync(process.argv[2], JSON.stringify(feed ?? null, asJson));
