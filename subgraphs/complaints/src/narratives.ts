import type { ComplaintCategory, LineOfBusiness } from '@icg/shared';
import type { SeededRandom } from '@icg/synthetic';
import { STANDARD_DEADLINE_DAYS } from './deadlines';
import type { ComplaintOutcome, ComplaintSource, ComplaintStep, EscalationLevel, RootCause } from './workflow';

/**
 * The register's free text, in the Chinese its staff write it: the complainant's account and request,
 * a note per workflow step, extension reasons and rectifications. Synthetic, drawn from the caller's
 * seeded generator, and never naming anyone but the branch.
 */

export interface NarrativeContext {
  category: ComplaintCategory;
  lineOfBusiness: LineOfBusiness | null;
  policyNo: string | null;
  reportNo: string | null;
  /** YYYY-MM-DD of the loss, for claim complaints. */
  lossDate: string | null;
  complaintNo: string;
  branchName: string;
}

export interface ComplainantAccount {
  facts: string;
  request: string;
  /** What caused it, should the complaint prove founded. */
  rootCause: RootCause;
}

const LINE_NAMES: Readonly<Record<LineOfBusiness, string>> = {
  MOTOR: '机动车辆保险',
  PROPERTY: '财产保险',
  CARGO: '货物运输保险',
  LIABILITY: '责任保险',
  ENGINEERING: '工程保险',
  ACCIDENT_HEALTH: '意外健康保险',
};

const LOSS_KINDS: Readonly<Record<LineOfBusiness, readonly string[]>> = {
  MOTOR: ['车辆追尾', '停放时被刮擦', '暴雨涉水', '与非机动车碰撞'],
  PROPERTY: ['室内水管爆裂', '厂房火灾', '台风导致屋顶受损'],
  CARGO: ['货物运输途中受潮', '装卸过程中货物破损'],
  LIABILITY: ['顾客在营业场所发生意外', '施工导致邻近房屋受损'],
  ENGINEERING: ['工地基坑坍塌', '暴雨导致在建工程受损'],
  // No injury or treatment here: the complaint's facts are not a HEALTH field (docs/access-model.md section 1).
  ACCIDENT_HEALTH: ['意外事故', '外出途中发生意外'],
};

/** Department of the accountable branch that handles each category. */
const DEPARTMENTS: Readonly<Record<ComplaintCategory, string>> = {
  CLAIMS: '理赔部',
  SALES: '个人业务部',
  SURRENDER: '运营管理部',
  UNDERWRITING: '核保部',
  SERVICE: '客户服务中心',
};

const SOURCE_LABELS: Readonly<Record<ComplaintSource, string>> = {
  DIRECT: '柜面',
  HOTLINE: '服务专线',
  REGULATOR_TRANSFER: '监管部门转办',
  MEDIA: '媒体舆情',
  ONLINE: '网上投诉平台',
  LETTER: '来信',
};

const LEVEL_NAMES: Readonly<Record<EscalationLevel, string>> = { CITY: '市分公司', PROVINCE: '省分公司', HEAD_OFFICE: '总公司' };

const lineName = (context: NarrativeContext): string => (context.lineOfBusiness ? LINE_NAMES[context.lineOfBusiness] : '保险');
const policyRef = (context: NarrativeContext): string => (context.policyNo ? `（保单号${context.policyNo}）` : '');
const yuan = (random: SeededRandom, min: number, max: number): string => String(Math.round(random.amount(min, max) / 100) * 100);

type AccountTemplate = (random: SeededRandom, context: NarrativeContext) => ComplainantAccount;

const ACCOUNTS: Readonly<Record<ComplaintCategory, readonly AccountTemplate[]>> = {
  CLAIMS: [
    (random, context) => ({
      facts: `投诉人称其于${context.lossDate ?? '出险当日'}发生${random.pick(LOSS_KINDS[context.lineOfBusiness ?? 'MOTOR'])}并报案（报案号${context.reportNo}），至今仍未结案，多次致电查询理赔进度均未得到明确答复。`,
      request: '要求尽快核定损失、支付赔款，并明确告知结案时间。',
      rootCause: 'CLAIMS_DELAY',
    }),
    (random, context) => {
      const assessed = Number(yuan(random, 2_000, 20_000));
      const claimed = assessed + Number(yuan(random, 1_000, 15_000));
      return {
        facts: `投诉人对报案号${context.reportNo}的定损金额有异议，认为核定的${assessed}元明显低于实际修复费用${claimed}元，查勘人员未说明定损依据。`,
        request: `要求重新定损，按实际损失${claimed}元赔付。`,
        rootCause: 'CLAIMS_AMOUNT_DISPUTE',
      };
    },
    (_random, context) => ({
      facts: `投诉人称报案号${context.reportNo}的索赔被拒赔，理赔人员仅口头告知不属于保险责任，未出具书面拒赔通知书，也未解释所依据的条款。`,
      request: '要求出具书面拒赔理由并重新审核案件。',
      rootCause: 'CLAIMS_DENIAL_DISPUTE',
    }),
    (random, context) => ({
      facts: `投诉人反映报案号${context.reportNo}理赔过程中被要求反复补充材料，前后共提交${random.int(3, 6)}次，每次告知的材料清单均不一致。`,
      request: '要求一次性告知所需材料，并对相关人员进行批评教育。',
      rootCause: 'COMMUNICATION_GAP',
    }),
  ],
  SALES: [
    (_random, context) => ({
      facts: `投诉人称业务人员在销售${lineName(context)}${policyRef(context)}时夸大保障范围，承诺“出险全赔”，与合同条款不符。`,
      request: '要求解除保险合同并全额退还保费。',
      rootCause: 'SALES_MISREPRESENTATION',
    }),
    (random, context) => ({
      facts: `投诉人反映投保${lineName(context)}${policyRef(context)}时被要求附加购买${random.pick(['驾乘人员意外险', '家庭财产附加险', '理财型产品'])}，否则不予出单，认为属于捆绑销售。`,
      request: `要求解除附加险合同并退还保费${yuan(random, 200, 3_000)}元。`,
      rootCause: 'TIED_SALE',
    }),
    (_random, context) => ({
      facts: `投诉人称投保后未收到保单及条款${policyRef(context)}，业务人员未就免责条款作出明确说明。`,
      request: '要求补寄保单及条款，并对销售人员进行处理。',
      rootCause: 'POLICY_ADMINISTRATION_ERROR',
    }),
  ],
  SURRENDER: [
    (random, context) => ({
      facts: `投诉人称申请退保${policyRef(context)}已逾${random.int(10, 40)}日，柜面以需要${random.pick(['上级审批', '核对缴费记录', '补充证明材料'])}为由拖延，至今未办理。`,
      request: '要求立即办理退保手续。',
      rootCause: 'SURRENDER_OBSTRUCTION',
    }),
    (random, context) => ({
      facts: `投诉人对${lineName(context)}${policyRef(context)}退保金额有异议，认为扣除的手续费${yuan(random, 300, 2_500)}元过高，计算方式事先未告知。`,
      request: '要求按未到期天数比例退还保费，并书面说明计算方法。',
      rootCause: 'SURRENDER_REFUND_DISPUTE',
    }),
  ],
  UNDERWRITING: [
    (random, context) => ({
      facts: `投诉人称${lineName(context)}${policyRef(context)}续保时保费上涨${random.int(15, 60)}%，公司未说明调整理由。`,
      request: '要求说明保费调整依据，按原费率续保。',
      rootCause: 'UNDERWRITING_DECISION',
    }),
    (_random, context) => ({
      facts: `投诉人反映其${lineName(context)}投保申请被拒保，公司未告知拒保原因。`,
      request: '要求书面说明拒保原因并重新评估。',
      rootCause: 'UNDERWRITING_DECISION',
    }),
    (random, context) => ({
      facts: `投诉人称保单${policyRef(context)}中${random.pick(['被保险人证件号码', '车辆信息', '保险金额', '联系地址'])}录入错误，多次要求批改未果。`,
      request: '要求尽快批改保单信息并出具批单。',
      rootCause: 'POLICY_ADMINISTRATION_ERROR',
    }),
  ],
  SERVICE: [
    (random) => ({
      facts: `投诉人称拨打服务专线等待超过${random.int(5, 25)}分钟无人接听，转接后客服人员态度冷淡、答复敷衍。`,
      request: '要求公司道歉并改进服务。',
      rootCause: 'SERVICE_ATTITUDE',
    }),
    () => ({
      facts: '投诉人反映客户经理多次未按约定时间上门服务，也未提前告知，耽误其工作安排。',
      request: '要求更换客户经理并给予书面答复。',
      rootCause: 'SERVICE_DELAY',
    }),
    () => ({
      facts: '投诉人称频繁收到营销短信和电话，已明确表示拒绝，仍未停止。',
      request: '要求停止营销联系并说明其个人信息的使用情况。',
      rootCause: 'COMMUNICATION_GAP',
    }),
  ],
};

export function complainantAccount(random: SeededRandom, context: NarrativeContext): ComplainantAccount {
  return random.pick(ACCOUNTS[context.category])(random, context);
}

const OUTCOME_FINDINGS: Readonly<Record<ComplaintOutcome, string>> = {
  UPHELD: '投诉事项基本属实',
  PARTIALLY_UPHELD: '投诉事项部分属实',
  NOT_UPHELD: '投诉事项与事实不符',
  WITHDRAWN: '投诉人表示已与经办人员沟通',
};

const OUTCOME_DECISIONS: Readonly<Record<ComplaintOutcome, string>> = {
  UPHELD: '投诉成立，按投诉人诉求予以处理',
  PARTIALLY_UPHELD: '投诉部分成立，对合理部分予以解决',
  NOT_UPHELD: '投诉不成立，已向投诉人解释合同约定',
  WITHDRAWN: '投诉人主动撤回投诉，处理终止',
};

export interface StepNoteContext extends NarrativeContext {
  source: ComplaintSource;
  escalationLevel: EscalationLevel;
  outcome: ComplaintOutcome;
  reviewRequested: boolean;
}

export function stepNote(random: SeededRandom, step: ComplaintStep, context: StepNoteContext): string {
  const department = DEPARTMENTS[context.category];
  switch (step) {
    case 'ACCEPT':
      return `经${SOURCE_LABELS[context.source]}受理，已告知投诉人处理流程及${STANDARD_DEADLINE_DAYS}日处理时限。`;
    case 'VERIFY':
      return `调取${context.reportNo ? '理赔案卷' : '保单档案'}及通话记录核实，${OUTCOME_FINDINGS[context.outcome]}。`;
    case 'REGISTER':
      return `已录入客户投诉登记簿，编号${context.complaintNo}。`;
    case 'TRANSFER':
      return `按谁造成投诉谁负责处理的原则，转${context.branchName}${department}处理。`;
    case 'COORDINATE':
      return context.escalationLevel === 'CITY'
        ? `组织${department}与客户服务中心协调处理方案。`
        : `案情涉及多个部门，上报${LEVEL_NAMES[context.escalationLevel]}协调处理。`;
    case 'HANDLE':
      return `处理意见：${OUTCOME_DECISIONS[context.outcome]}。`;
    case 'FEEDBACK':
      return context.reviewRequested
        ? `已${random.pick(['电话', '书面'])}告知投诉人处理结果，投诉人表示不认可，申请复核。`
        : `已${random.pick(['电话', '书面', '当面'])}告知投诉人处理结果，投诉人${random.pick(['表示认可', '无异议', '表示理解'])}。`;
    case 'ARCHIVE':
      return '登记表、核实表、转接表、处理表及相关记录已整理归档，并录入客户关系管理系统。';
  }
}

export function extensionReason(random: SeededRandom, sequence: number, approverLevel: EscalationLevel): string {
  return sequence === 1
    ? `案情复杂，需${random.pick(['调取第三方鉴定报告', '补充现场查勘', '核对历史缴费记录', '协调多个部门取证'])}，经${LEVEL_NAMES[approverLevel]}批准延长处理期限，已告知投诉人。`
    : `涉及多方责任认定，情况特别复杂，经${LEVEL_NAMES[approverLevel]}内部审批再延长30日，已书面通知投诉人。`;
}

const RECTIFICATIONS: Readonly<Record<RootCause, readonly string[]>> = {
  CLAIMS_DELAY: ['建立理赔时效预警，超过10个工作日未结案件逐件督办。', '对相关理赔人员进行时效考核扣分并组织培训。'],
  CLAIMS_AMOUNT_DISPUTE: ['定损结果须向客户书面说明依据，争议案件引入第三方公估。', '完善维修配件询价机制，定期更新价格库。'],
  CLAIMS_DENIAL_DISPUTE: ['拒赔案件一律出具书面通知并列明条款依据。', '拒赔案件须经上级核赔复核后方可通知客户。'],
  SALES_MISREPRESENTATION: ['对涉事销售人员进行通报批评，组织销售合规培训。', '新契约回访增加保障范围确认环节。'],
  TIED_SALE: ['明确禁止捆绑销售，附加产品须客户书面自愿选择。', '对涉事网点开展专项检查。'],
  SURRENDER_OBSTRUCTION: ['简化退保审批流程，柜面不得以任何理由拖延受理。', '退保申请纳入时效监控。'],
  SURRENDER_REFUND_DISPUTE: ['退保金计算方式在投保时书面告知。', '统一退保手续费标准并公示。'],
  UNDERWRITING_DECISION: ['续保调价须提前告知客户并说明依据。', '拒保决定须书面告知原因。'],
  POLICY_ADMINISTRATION_ERROR: ['加强出单信息双人复核。', '批改申请纳入时效管理，3个工作日内办结。'],
  SERVICE_ATTITUDE: ['对涉事人员进行服务礼仪培训并纳入绩效考核。', '开展服务态度专项整改。'],
  SERVICE_DELAY: ['高峰时段增加专线坐席，设置回拨机制。', '客户经理上门服务须提前预约并按时履约。'],
  COMMUNICATION_GAP: ['统一客户告知话术，关键事项书面告知。', '建立客户诉求首问负责制。'],
  CUSTOMER_MISUNDERSTANDING: ['加强条款解释和风险提示。', '在官网和营业场所增加常见问题说明。'],
};

export function rectificationFor(random: SeededRandom, rootCause: RootCause): string {
  return random.pick(RECTIFICATIONS[rootCause]);
}
