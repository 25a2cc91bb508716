/**
 * Words the CRM seeder composes realistic records from: Chinese street and building names,
 * occupations, industries, visit notes and blacklist reasons. Faker's zh_CN streets read oddly,
 * so addresses are built from these lists instead.
 */

export const STREET_STEMS = [
  '人民',
  '解放',
  '中山',
  '建设',
  '和平',
  '新华',
  '文化',
  '长江',
  '黄河',
  '科技园',
  '学府',
  '朝阳',
  '胜利',
  '青年',
  '东风',
  '光明',
  '育才',
  '迎宾',
  '世纪',
  '工业园',
  '花园',
  '滨江',
  '湖滨',
  '振兴',
  '幸福',
  '天府',
  '金融',
] as const;
export const STREET_KINDS = ['路', '路', '东路', '西路', '南路', '北路', '大道', '街'] as const;

export const COMMUNITY_STEMS = [
  '阳光',
  '翠苑',
  '锦绣',
  '金色',
  '碧水',
  '华府',
  '世纪',
  '丽景',
  '香樟',
  '滨江',
  '明珠',
  '东方',
  '御景',
  '康乐',
  '紫荆',
  '绿城',
  '万科',
  '保利',
] as const;
export const COMMUNITY_KINDS = ['花园', '小区', '家园', '公寓', '苑', '新村', '名城', '府'] as const;

export const OFFICE_STEMS = ['国际', '金融', '科技', '时代', '环球', '中信', '招商', '创业', '星海', '嘉里', '万达', '华润'] as const;
export const OFFICE_KINDS = ['大厦', '中心', '广场', '商务楼', '科技园'] as const;

/** Used when the area table lists no district for a city. */
export const FALLBACK_DISTRICTS = ['城区', '高新区', '经济开发区'] as const;

export const OCCUPATIONS = [
  '教师',
  '软件工程师',
  '医生',
  '护士',
  '会计',
  '律师',
  '公务员',
  '销售经理',
  '个体经营者',
  '出租车司机',
  '快递员',
  '厨师',
  '建筑工人',
  '农民',
  '退休人员',
  '自由职业者',
  '银行职员',
  '设计师',
  '企业管理人员',
  '外卖骑手',
  '工厂技术员',
  '保险代理人',
] as const;

export const INDUSTRIES = [
  '制造业',
  '批发和零售业',
  '建筑业',
  '交通运输、仓储和邮政业',
  '信息传输、软件和信息技术服务业',
  '房地产业',
  '住宿和餐饮业',
  '农、林、牧、渔业',
  '租赁和商务服务业',
  '电力、热力、燃气及水生产和供应业',
  '科学研究和技术服务业',
  '卫生和社会工作',
] as const;

export const PERSONAL_EMAIL_DOMAINS = ['qq.com', '163.com', '126.com', 'sina.com', 'foxmail.com', '139.com', 'outlook.com'] as const;

export const VISIT_OPENINGS = ['上门走访', '电话回访', '约客户到网点面谈', '陪同查勘人员现场走访', '微信视频沟通'] as const;
export const INDIVIDUAL_VISIT_TOPICS = [
  '了解车辆使用情况及续保意向',
  '介绍家庭财产保险新产品',
  '跟进上月车险理赔进度',
  '核对并更新联系方式',
  '讲解意外健康险保障范围',
  '提醒交强险到期时间',
  '收集家庭成员投保需求',
] as const;
export const ORGANISATION_VISIT_TOPICS = [
  '收集企业年度投保计划',
  '讲解安全生产防灾防损要点',
  '跟进货运险理赔资料补充',
  '沟通雇主责任险续保条件',
  '查看厂区消防设施整改情况',
  '介绍工程险共保方案',
] as const;
export const VISIT_OUTCOMES = [
  '客户表示满意。',
  '客户考虑中，下月再跟进。',
  '客户认为保费偏高，需进一步沟通。',
  '已完成续保报价。',
  '客户反映理赔时效慢，已上报服务中心。',
  '客户同意追加保障。',
  '已登记客户新的联系方式，待内勤审核。',
] as const;

export const BLACKLIST_REASONS = [
  '经调查确认故意制造保险事故骗取赔款',
  '拖欠保费超过90天且拒不缴纳',
  '投保时提供虚假资料，隐瞒重要事实',
  '多次恶意投诉并威胁工作人员',
  '涉嫌保险欺诈，案件已移交公安机关',
  '伪造事故现场及维修发票',
  '一年内多次虚报车辆损失',
] as const;

/** What managers write about a customer's major events, by kind; no health facts (the description is not HEALTH). */
export const MAJOR_EVENT_DESCRIPTIONS = {
  OWNERSHIP_CHANGE: ['控股股东变更，新股东为地方国资平台', '实际控制人变更，董事会已改选'],
  MERGER_OR_ACQUISITION: ['被同行业集团收购，保险安排待整合', '吸收合并下属子公司，资产统一投保'],
  RESTRUCTURING_OR_INSOLVENCY: ['进入破产重整程序，管理人已接管', '债务重组中，部分厂房被抵押'],
  MAJOR_LOSS: ['仓库火灾，存货损失约三百万元', '台风导致厂房屋顶受损，停产两周'],
  LITIGATION: ['与供应商合同纠纷，已起诉至中级人民法院', '被列为产品责任诉讼被告'],
  REGULATORY_PENALTY: ['因环保问题被处以行政罚款', '安全生产检查不合格，责令限期整改'],
  KEY_CONTACT_CHANGE: ['财务负责人离职，新联系人已登记', '保险事务改由行政部统一对接'],
  RELOCATION: ['生产基地整体搬迁至新工业园', '公司注册地址及经营地址变更'],
  OTHER: ['新增出口业务，需要货运险方案', '计划扩建二期厂房，咨询工程险'],
} as const;
