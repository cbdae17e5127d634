/** One server-sent event as a client sees it: its id, its type and its data read as JSON. */
export interface StreamedEvent {
  readonly id: string | null;
  readonly event: string | null;
  readonly data: unknown;
}

/**
 * Reads server-sent events off a response body as they arrive, keeping the
 * comment lines (keep-alives) and the names of the fields seen on the way.
 */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  const source = body.getReader();
  let buffer = "";
  const comments: string[] = [];
  const fields: string[] = [];
  return {
    comments,
    fields,
    /** The next event with data, or null once the stream ended. */
    async next(): Promise<StreamedEvent | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          for (const line of block) {
            if (line.startsWith(":")) comments.push(line);
            else fields.push(line.split(":")[0] ?? "");
          }
          const value = (name: string) =>
            block.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
          const data = block
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data === "") continue;
          return { id: value("id"), event: value("event"), data: JSON.parse(data) };
        }
        const chunk = await source.read();
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => source.cancel(),
  };
}
