import { createStockPage } from './logic.js'

Page(createStockPage(getApp, wx))
