/** What the installer prints: lines for people, or JSON events with --json. */
export interface Output {
  line(text: string): void
  event(data: Record<string, unknown>): void
}

export function output(json: boolean, write: (s: string) => void): Output {
  return {
    line: text => {
      if (!json) write(`${text}\n`)
    },
    event: data => {
      if (json) write(`${JSON.stringify(data)}\n`)
    }
  }
}
