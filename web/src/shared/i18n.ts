// Every string the pages show, in Chinese (the default) and English. The
// English dictionary is typed by the Chinese one's keys, so a key missing
// from either fails the type check.

const zh = {
  'app.console': '助餐配送调度台',
  'app.dashboard': '助餐配送运营看板',
  'nav.console': '调度台',
  'nav.dashboard': '运营看板',
  'lang.switch': 'English',
  'help.open': '帮助',
  'help.title': '键盘操作',
  'help.close': '关闭',
  'help.intro': '列表可用 Tab 进入，↑/↓ 移动，Enter 打开。写操作都需要填写原因，并记入审计日志。',
  'help.key.help': '显示或关闭本帮助',
  'help.key.search': '查找订单或配送员',
  'help.key.unassigned': '跳到待分配队列',
  'help.key.atRisk': '跳到风险订单队列',
  'help.key.alerts': '跳到告警收件箱',
  'help.key.orders': '跳到订单列表',
  'help.key.couriers': '跳到配送员列表',
  'help.key.reassign': '改派所选订单：再选配送员（Enter 或点击）',
  'help.key.hold': '暂缓或恢复所选订单',
  'help.key.unassign': '取消所选订单的分配',
  'help.key.print': '打印所选配送员的路线单',
  'help.key.lang': '切换中文 / English',
  'help.key.zoom': '地图放大 / 缩小 / 复位',
  'help.key.escape': '取消选择或关闭对话框',
  'help.drag': '也可以把订单（列表项或地图上的点）拖到配送员上来改派。',
  'signin.title': '登录调度台',
  'signin.token': '访问令牌',
  'signin.submit': '登录',
  'signin.hint': '令牌只保存在本浏览器标签页中（sessionStorage），关闭标签页即清除。',
  'signin.rejected': '令牌无效或已停用',
  'signin.failed': '无法连接服务：{message}',
  'signout': '退出',
  'role.viewer': '只读',
  'role.dispatcher': '调度员',
  'role.admin': '管理员',
  'conn.live': '实时',
  'conn.connecting': '连接中…',
  'conn.retry': '连接断开，{seconds} 秒后重试',
  'panel.unassigned': '待分配',
  'panel.atRisk': '风险订单',
  'panel.alerts': '告警收件箱',
  'panel.orders': '订单',
  'panel.couriers': '配送员',
  'panel.detail': '详情',
  'panel.map': '地图',
  'search.placeholder': '查找订单、老人或配送员编号',
  'list.empty': '暂无',
  'list.more': '另有 {count} 条未显示',
  'status.PLACED': '已下单',
  'status.READY': '待取餐',
  'status.ASSIGNED': '已分配',
  'status.PICKED_UP': '配送中',
  'status.DELIVERED': '已送达',
  'status.FAILED': '未送达',
  'status.CANCELLED': '已取消',
  'status.UNASSIGNED': '未分配',
  'status.REJECTED': '已拒单',
  'status.HELD': '暂缓',
  'kind.UNASSIGNABLE': '无法分配',
  'kind.LATE_RISK': '可能延误',
  'kind.FOOD_SAFETY_RISK': '热餐超时风险',
  'kind.WELLNESS_CHECK': '安全探视',
  'kind.DELIVERY_FAILED': '配送失败',
  'kind.ORDER_REJECTED': '订单被拒',
  'kind.OUTSIDE_RADIUS': '超出服务半径',
  'kind.RECALL': '批次召回',
  'kind.WELLNESS_CLOSED': '探视已结案',
  'kind.COMMAND_REFUSED': '指令被拒',
  'severity.INFO': '提示',
  'severity.WARNING': '警告',
  'severity.CRITICAL': '紧急',
  'step.courier_retries': '配送员再次敲门',
  'step.phone_call': '电话联系老人',
  'step.emergency_contact': '联系紧急联系人',
  'step.community_worker': '社区工作者上门',
  'outcome.elder_safe': '老人平安',
  'outcome.elder_needed_help': '老人需要帮助',
  'outcome.taken_to_hospital': '已送医',
  'outcome.away_from_home': '老人外出',
  'outcome.other': '其他',
  'risk.late': '预计晚于送达时段 {minutes} 分钟',
  'wellness.opened': '{time} 无人应门',
  'wellness.step': '当前步骤：{step}，{time} 升级',
  'courier.onShift': '在岗',
  'courier.offShift': '不在岗',
  'courier.unavailable': '暂停接单',
  'courier.stops': '{count} 站',
  'courier.capacity': '餐箱容量',
  'courier.shiftEnd': '下班时间',
  'courier.lastSeen': '最近定位',
  'courier.team': '小组',
  'field.order': '订单',
  'field.elder': '老人',
  'field.site': '助餐点',
  'field.courier': '配送员',
  'field.meals': '份数',
  'field.window': '送达时段',
  'field.placed': '下单',
  'field.ready': '出餐',
  'field.pickedUp': '取餐',
  'field.done': '完成',
  'field.batch': '批次',
  'field.hub': '中心户',
  'field.standing': '长期订单',
  'field.proof': '送达凭证',
  'field.timeline': '时间线',
  'field.route': '计划路线',
  'field.reason': '原因',
  'field.note': '备注',
  'field.outcome': '探视结果',
  'field.time': '时间',
  'stop.PICKUP': '取餐',
  'stop.DELIVERY': '送餐',
  'action.reassign': '改派',
  'action.unassign': '取消分配',
  'action.hold': '暂缓',
  'action.release': '恢复',
  'action.acknowledge': '确认处理',
  'action.print': '打印路线单',
  'action.cancel': '取消',
  'action.confirm': '确定',
  'pick.banner': '请选择接手订单 {order} 的配送员（点击地图或列表，或在列表中按 Enter）；Esc 取消',
  'dialog.reassign': '把订单 {order} 改派给 {courier}',
  'dialog.unassign': '取消订单 {order} 的分配',
  'dialog.hold': '暂缓订单 {order}',
  'dialog.release': '恢复订单 {order}',
  'dialog.ackWellness': '结束安全探视 {case}（老人 {elder}）',
  'dialog.ackAlert': '确认告警：{kind}',
  'dialog.reasonRequired': '请填写原因，它会记入审计日志',
  'dialog.noteRequired': '请填写备注，它会记入审计日志',
  'toast.sent': '已提交：{action}',
  'toast.failed': '未成功：{message}',
  'toast.forbidden': '当前角色无权执行此操作',
  'detail.none': '在列表或地图上选择订单或配送员',
  'detail.loading': '加载中…',
  'map.legend.site': '助餐点与服务半径',
  'map.legend.courier': '配送员',
  'map.legend.route': '计划路线',
  'map.legend.note': '未上路的订单画在其助餐点旁',
  'map.zoomIn': '放大',
  'map.zoomOut': '缩小',
  'map.zoomReset': '复位',
  'sheet.title': '配送路线单',
  'sheet.courier': '配送员 {courier}',
  'sheet.printed': '打印时间 {time}',
  'sheet.col.seq': '序号',
  'sheet.col.kind': '类型',
  'sheet.col.order': '订单',
  'sheet.col.place': '地点',
  'sheet.col.arrival': '计划到达',
  'sheet.col.window': '送达时段',
  'sheet.col.meals': '份数',
  'sheet.col.done': '完成 ✓',
  'sheet.col.sign': '签收 / 备注',
  'sheet.noAnswer': '无人应门时：再敲门，打电话给调度台，切勿把餐放下就走。',
  'sheet.empty': '该配送员目前没有计划中的站点',
  'dash.events': '各主题事件速率（条/秒）',
  'dash.lag': '各分区消费延迟（条）',
  'dash.latency': '派单决策延迟（秒）',
  'dash.onTime': '准时送达率',
  'dash.dlq': '死信速率（条/秒）',
  'dash.alerts': '未处理告警',
  'dash.p50': 'p50',
  'dash.p99': 'p99',
  'dash.partition': '分区 {partition}',
  'dash.scraped': '最近采集 {time}，每 {seconds} 秒一次',
  'dash.scrapeFailed': '采集 /metrics 失败：{message}',
  'dash.waiting': '等待第二次采集以计算速率…',
  'dash.tileMax': '最大的分区',
  'dash.tileLatency': 'p50 / p99，近 5 分钟',
  'dash.tileOnTime': '自服务启动以来（送达数）',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  'app.console': 'Meal dispatch console',
  'app.dashboard': 'Meal dispatch operations',
  'nav.console': 'Console',
  'nav.dashboard': 'Dashboard',
  'lang.switch': '中文',
  'help.open': 'Help',
  'help.title': 'Keyboard',
  'help.close': 'Close',
  'help.intro': 'Tab into a list, move with ↑/↓, open with Enter. Every write asks for a reason, which goes to the audit trail.',
  'help.key.help': 'Show or hide this help',
  'help.key.search': 'Find an order or a courier',
  'help.key.unassigned': 'Go to the unassigned queue',
  'help.key.atRisk': 'Go to the at-risk queue',
  'help.key.alerts': 'Go to the alert inbox',
  'help.key.orders': 'Go to the orders list',
  'help.key.couriers': 'Go to the couriers list',
  'help.key.reassign': 'Reassign the selected order: then pick a courier (Enter or click)',
  'help.key.hold': 'Hold or release the selected order',
  'help.key.unassign': 'Unassign the selected order',
  'help.key.print': "Print the selected courier's route sheet",
  'help.key.lang': 'Switch 中文 / English',
  'help.key.zoom': 'Zoom the map in / out / reset',
  'help.key.escape': 'Clear the selection or close a dialog',
  'help.drag': 'You can also drag an order (list item or map dot) onto a courier to reassign it.',
  'signin.title': 'Sign in to the console',
  'signin.token': 'Access token',
  'signin.submit': 'Sign in',
  'signin.hint': 'The token is kept in this browser tab only (sessionStorage) and is gone when the tab closes.',
  'signin.rejected': 'The token is unknown or revoked',
  'signin.failed': 'Cannot reach the service: {message}',
  'signout': 'Sign out',
  'role.viewer': 'viewer',
  'role.dispatcher': 'dispatcher',
  'role.admin': 'admin',
  'conn.live': 'live',
  'conn.connecting': 'connecting…',
  'conn.retry': 'disconnected, retrying in {seconds} s',
  'panel.unassigned': 'Unassigned',
  'panel.atRisk': 'At risk',
  'panel.alerts': 'Alert inbox',
  'panel.orders': 'Orders',
  'panel.couriers': 'Couriers',
  'panel.detail': 'Details',
  'panel.map': 'Map',
  'search.placeholder': 'Find an order, elder or courier id',
  'list.empty': 'none',
  'list.more': '{count} more not shown',
  'status.PLACED': 'placed',
  'status.READY': 'ready',
  'status.ASSIGNED': 'assigned',
  'status.PICKED_UP': 'on the way',
  'status.DELIVERED': 'delivered',
  'status.FAILED': 'failed',
  'status.CANCELLED': 'cancelled',
  'status.UNASSIGNED': 'unassigned',
  'status.REJECTED': 'rejected',
  'status.HELD': 'held',
  'kind.UNASSIGNABLE': 'unassignable',
  'kind.LATE_RISK': 'late risk',
  'kind.FOOD_SAFETY_RISK': 'hot-meal limit at risk',
  'kind.WELLNESS_CHECK': 'wellness check',
  'kind.DELIVERY_FAILED': 'delivery failed',
  'kind.ORDER_REJECTED': 'order rejected',
  'kind.OUTSIDE_RADIUS': 'outside service radius',
  'kind.RECALL': 'batch recall',
  'kind.WELLNESS_CLOSED': 'wellness check closed',
  'kind.COMMAND_REFUSED': 'command refused',
  'severity.INFO': 'info',
  'severity.WARNING': 'warning',
  'severity.CRITICAL': 'critical',
  'step.courier_retries': 'courier knocks again',
  'step.phone_call': 'phone the elder',
  'step.emergency_contact': 'call the emergency contact',
  'step.community_worker': 'community worker visits',
  'outcome.elder_safe': 'elder is safe',
  'outcome.elder_needed_help': 'elder needed help',
  'outcome.taken_to_hospital': 'taken to hospital',
  'outcome.away_from_home': 'away from home',
  'outcome.other': 'other',
  'risk.late': 'expected {minutes} min after the window',
  'wellness.opened': 'no answer at {time}',
  'wellness.step': 'now: {step}; escalates at {time}',
  'courier.onShift': 'on shift',
  'courier.offShift': 'off shift',
  'courier.unavailable': 'paused',
  'courier.stops': '{count} stops',
  'courier.capacity': 'Box capacity',
  'courier.shiftEnd': 'Shift ends',
  'courier.lastSeen': 'Last position',
  'courier.team': 'Team',
  'field.order': 'Order',
  'field.elder': 'Elder',
  'field.site': 'Meal site',
  'field.courier': 'Courier',
  'field.meals': 'Meals',
  'field.window': 'Delivery window',
  'field.placed': 'Placed',
  'field.ready': 'Ready',
  'field.pickedUp': 'Picked up',
  'field.done': 'Finished',
  'field.batch': 'Batch',
  'field.hub': 'Hub household',
  'field.standing': 'Standing order',
  'field.proof': 'Proof of delivery',
  'field.timeline': 'Timeline',
  'field.route': 'Planned route',
  'field.reason': 'Reason',
  'field.note': 'Note',
  'field.outcome': 'Outcome',
  'field.time': 'Time',
  'stop.PICKUP': 'pickup',
  'stop.DELIVERY': 'delivery',
  'action.reassign': 'Reassign',
  'action.unassign': 'Unassign',
  'action.hold': 'Hold',
  'action.release': 'Release',
  'action.acknowledge': 'Acknowledge',
  'action.print': 'Print route sheet',
  'action.cancel': 'Cancel',
  'action.confirm': 'Confirm',
  'pick.banner': 'Choose the courier to take order {order} (click the map or a list, or press Enter in the list); Esc cancels',
  'dialog.reassign': 'Reassign order {order} to {courier}',
  'dialog.unassign': 'Unassign order {order}',
  'dialog.hold': 'Hold order {order}',
  'dialog.release': 'Release order {order}',
  'dialog.ackWellness': 'Close wellness check {case} (elder {elder})',
  'dialog.ackAlert': 'Acknowledge alert: {kind}',
  'dialog.reasonRequired': 'A reason is required; it goes to the audit trail',
  'dialog.noteRequired': 'A note is required; it goes to the audit trail',
  'toast.sent': 'Sent: {action}',
  'toast.failed': 'Not done: {message}',
  'toast.forbidden': 'Your role may not do this',
  'detail.none': 'Select an order or a courier in a list or on the map',
  'detail.loading': 'loading…',
  'map.legend.site': 'meal site and service radius',
  'map.legend.courier': 'courier',
  'map.legend.route': 'planned route',
  'map.legend.note': 'orders not on a route are drawn beside their site',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.zoomReset': 'Reset',
  'sheet.title': 'Route sheet',
  'sheet.courier': 'Courier {courier}',
  'sheet.printed': 'Printed {time}',
  'sheet.col.seq': '#',
  'sheet.col.kind': 'Stop',
  'sheet.col.order': 'Order',
  'sheet.col.place': 'Place',
  'sheet.col.arrival': 'Planned arrival',
  'sheet.col.window': 'Window',
  'sheet.col.meals': 'Meals',
  'sheet.col.done': 'Done ✓',
  'sheet.col.sign': 'Signature / notes',
  'sheet.noAnswer': 'If nobody answers: knock again and phone the desk; never leave the meal and go.',
  'sheet.empty': 'This courier has no planned stops now',
  'dash.events': 'Events per second, per topic',
  'dash.lag': 'Consumer lag per partition (records)',
  'dash.latency': 'Decision latency (s)',
  'dash.onTime': 'On-time rate',
  'dash.dlq': 'Dead letters per second',
  'dash.alerts': 'Open alerts',
  'dash.p50': 'p50',
  'dash.p99': 'p99',
  'dash.partition': 'partition {partition}',
  'dash.scraped': 'last scrape {time}, every {seconds} s',
  'dash.scrapeFailed': 'scraping /metrics failed: {message}',
  'dash.waiting': 'waiting for a second scrape to compute rates…',
  'dash.tileMax': 'the largest partition',
  'dash.tileLatency': 'p50 / p99, last 5 minutes',
  'dash.tileOnTime': 'since the service started (deliveries)',
};

export type Lang = 'zh-CN' | 'en';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zh, en };
const LANG_KEY = 'meal-dispatch.lang';

let current: Lang = readStoredLang();
const listeners = new Set<() => void>();

function readStoredLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    // Storage may be unavailable (private mode); Chinese is the default anyway.
  }
  return 'zh-CN';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // Not remembered across reloads then; the switch still applies.
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function toggleLang(): void {
  setLang(current === 'zh-CN' ? 'en' : 'zh-CN');
}

// Calls `listener` after every language switch.
export function onLangChange(listener: () => void): void {
  listeners.add(listener);
}

// The message `key` in the current language, with each {name} replaced by
// vars[name].
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[current][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

// A message whose key is built from data (an order status, an alert kind):
// the translation when there is one, else the raw value, so a status added
// to the service later still shows.
export function tOr(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in zh ? t(key as MessageKey) : value;
}

// Fills every element under `root` that has data-i18n (text),
// data-i18n-title or data-i18n-placeholder with its message.
export function applyI18n(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n as MessageKey);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle as MessageKey);
    el.setAttribute('aria-label', el.title);
  }
  for (const el of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder as MessageKey);
  }
}

// For the tests: both dictionaries, to check they match.
export const dictionariesForTest = dictionaries;
