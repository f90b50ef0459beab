/**
 * Just enough of the mini-program framework to run a hand-written page: the page file is
 * evaluated as a script with the platform global (`wx`) and `Page` in scope, as the runtime does.
 */
import { createContext, runInContext } from 'node:vm'

export interface PageInstance {
  data: { status: string; messages: string[] }
  setData(patch: Record<string, unknown>): void
  onLoad(): void
  onSend(e: { detail: { value: string } }): void
  onUnload(): void
}

/** Page(): an instance with `data` and `setData`, methods bound to it. */
export function loadPage(source: string, globals: object): PageInstance {
  let definition: Record<string, unknown> | undefined
  const context = createContext({
    ...globals,
    Page: (def: Record<string, unknown>) => { definition = def },
    console,
  })
  runInContext(source, context, { filename: 'pages/chat/chat.js' })
  if (definition === undefined) throw new Error('the page did not call Page()')
  const def = definition
  const page = {
    ...def,
    data: structuredClone(def['data']),
  } as unknown as PageInstance
  page.setData = (patch) => { Object.assign(page.data, patch) }
  return page
}
