import { createChatPage } from './logic.js'

Page(createChatPage(getApp))
