/** What every mini-program entry exports besides its bound createClient/getAppClient. */
export { createPageScope, type PageScope } from './page.js'
export { scopedComponent, scopedPage, type ClientSource, type MpPageThis, type Realtime, type ScopedComponentOptions, type ScopedPageOptions } from './page-options.js'
export { isOnline, platformLifecycle, platformStorage, type MpApi, type NetworkResult, type PlatformLifecycle } from './platform.js'
export type { MpClientOptions } from './create.js'
