import type { ComplaintCategory, LineOfBusiness, ServiceRequestType } from '@icg/shared';
import type { SeededRandom } from '@icg/synthetic';
import type { ReturnVisitOutcome, ServiceRequestChannel } from './tables';

/**
 * The words agents write on tickets. Subjects name the matter only (they are INTERNAL); descriptions
 * and visit notes may mention the caller's plate, places and circumstances (CONFIDENTIAL). Injuries,
 * illness and treatment are not written on tickets at all: the claims system keeps them, in HEALTH fields
 * (docs/access-model.md section 1).
 */

/** A claim report: its subject and the incident in general words. */
type ClaimMatter = readonly [subject: string, incident: string];

const CLAIM_MATTERS: Readonly<Record<LineOfBusiness, readonly ClaimMatter[]>> = {
  MOTOR: [
    ['车险报案：追尾事故', '等红灯时被后车追尾，后保险杠受损'],
    ['车险报案：单方事故', '倒车时撞到路边护栏，右后翼子板凹陷'],
    ['车险报案：车辆划痕', '停放期间车身被不明人员刮花'],
    ['车险报案：玻璃破碎', '行驶中前挡风玻璃被飞石击裂'],
    ['车险报案：涉水受损', '暴雨中车辆涉水熄火，无法启动'],
    ['车险报案：双方事故', '路口转弯时与直行车辆发生碰撞'],
  ],
  PROPERTY: [
    ['财产险报案：暴雨进水', '暴雨导致仓库进水，部分货物被浸泡'],
    ['财产险报案：火灾损失', '厂房配电箱起火，部分设备烧毁'],
    ['财产险报案：管道爆裂', '楼上水管爆裂，室内吊顶和地板受损'],
  ],
  CARGO: [
    ['货运险报案：货物湿损', '运输途中遇雨，篷布破损致货物受潮'],
    ['货运险报案：运输破损', '卸货时发现多箱货物外包装破损'],
  ],
  LIABILITY: [
    // One subject for both, so the subject does not tell an injured third party from damaged property.
    ['责任险报案：第三者索赔', '顾客在营业场所内发生意外，向客户索赔'],
    ['责任险报案：第三者索赔', '施工时损坏相邻商铺的门窗'],
  ],
  ENGINEERING: [
    ['工程险报案：施工事故', '塔吊作业时吊物坠落，损坏已完工部分'],
    ['工程险报案：暴雨冲毁', '暴雨冲毁基坑支护，需紧急抢险'],
  ],
  // Whether the insured was hurt or ill, and how, is for the claim's HEALTH fields only.
  ACCIDENT_HEALTH: [['意健险报案', '申请保险金给付']],
};

const COMPLAINT_MATTERS: Readonly<Record<ComplaintCategory, readonly [subject: string, grievance: string]>> = {
  CLAIMS: ['投诉：理赔时效', '认为理赔进度太慢，提交材料后迟迟未赔付'],
  SALES: ['投诉：销售误导', '称投保时业务员未如实说明免责条款'],
  SURRENDER: ['投诉：退保手续', '对退保金额和办理手续不满'],
  UNDERWRITING: ['投诉：核保结果', '不认可核保加费的结论'],
  SERVICE: ['投诉：服务态度', '反映网点工作人员态度不佳'],
};

const ROUTINE_MATTERS: Readonly<Record<Exclude<ServiceRequestType, 'CLAIM_REPORT' | 'COMPLAINT'>, readonly (readonly [subject: string, detail: string])[]>> = {
  ENQUIRY: [
    ['咨询：保单条款', '询问保单责任免除条款的具体含义'],
    ['咨询：理赔进度', '询问此前报案的理赔处理进度'],
    ['咨询：保费缴纳方式', '询问分期缴费和自动扣款的办理方式'],
    ['咨询：发票开具', '询问电子发票的开具和下载方式'],
    ['咨询：保障范围', '询问附加险是否覆盖自然灾害损失'],
  ],
  POLICY_SERVICE: [
    ['保单批改：变更联系电话', '申请变更保单预留的联系电话'],
    ['保单批改：变更通讯地址', '申请变更保单通讯地址'],
    ['保单服务：补发电子保单', '申请补发电子保单至邮箱'],
    ['保单批改：变更开票信息', '申请变更保单的发票抬头和税号'],
    ['保单服务：退保申请', '咨询并申请办理退保'],
  ],
  RENEWAL: [
    ['续保：报价', '询问下一年度续保报价'],
    ['续保：保费试算', '要求按调整后的保额试算续保保费'],
    ['续保：险种调整', '希望续保时增加附加险'],
  ],
  RESCUE: [
    ['道路救援：拖车', '故障无法行驶，需要拖车'],
    ['道路救援：搭电', '电瓶亏电无法启动，需要搭电'],
    ['道路救援：换胎', '爆胎，需要更换备胎'],
    ['道路救援：送油', '燃油耗尽，需要送油'],
  ],
  RETURN_VISIT: [
    ['回访：新保单', '新保单承保后回访，核实投保意愿和条款告知情况'],
    ['回访：理赔结案', '理赔结案后回访，了解客户对理赔服务的评价'],
    ['回访：续保服务', '续保完成后回访，确认保单信息无误'],
  ],
};

const ROADS = [
  '人民路',
  '解放路',
  '中山路',
  '建设路',
  '和平路',
  '新华路',
  '滨江大道',
  '科技园路',
  '长江路',
  '黄河路',
  '环城北路',
  '世纪大道',
  '文化路',
  '迎宾大道',
];

export interface TicketWords {
  subject: string;
  description: string;
}

export interface ClaimReportContext {
  lineOfBusiness: LineOfBusiness | null;
  lossDate: string;
  city: string;
  plate: string | null;
}

export function claimReportWords(random: SeededRandom, claim: ClaimReportContext): TicketWords {
  const [subject, incident] = random.pick(CLAIM_MATTERS[claim.lineOfBusiness ?? 'PROPERTY']);
  const vehicle = claim.plate ? `车牌${claim.plate}，` : '';
  // Whether anyone was hurt is a health fact too: the claim records it, not the ticket.
  const nextStep = claim.lineOfBusiness === 'MOTOR' ? random.pick(['现场已拍照', '已报交警', '车辆已移至路边']) : '已告知所需材料';
  return {
    subject,
    description: `客户来电报案：${claim.lossDate}在${claim.city}${random.pick(ROADS)}附近，${vehicle}${incident}，${nextStep}。已登记报案并通知查勘员联系客户。`,
  };
}

export function complaintCallWords(random: SeededRandom, category: ComplaintCategory): TicketWords {
  const [subject, grievance] = COMPLAINT_MATTERS[category];
  const request = random.pick(['要求尽快给出处理结果', '要求相关人员道歉并说明情况', '要求按合同约定处理', '要求主管回电解释']);
  return { subject, description: `客户来电投诉，${grievance}，${request}。已登记并转投诉管理岗处理。` };
}

/** How the description says the customer came in. */
const CAME_IN_BY: Readonly<Record<ServiceRequestChannel, string>> = {
  PHONE: '客户来电',
  APP: '客户通过APP',
  WECHAT: '客户通过微信公众号',
  WEB: '客户通过官网在线客服',
  COUNTER: '客户到柜面',
};

export function routineWords(
  random: SeededRandom,
  type: Exclude<ServiceRequestType, 'CLAIM_REPORT' | 'COMPLAINT'>,
  context: { channel: ServiceRequestChannel; city: string; plate: string | null },
): TicketWords {
  const [subject, detail] = random.pick(ROUTINE_MATTERS[type]);
  const cameIn = CAME_IN_BY[context.channel];
  if (type === 'RESCUE') {
    return {
      subject,
      description: `${cameIn}称车辆${context.plate ?? ''}在${context.city}${random.pick(ROADS)}附近${detail}，已调度合作救援商前往。`,
    };
  }
  if (type === 'RETURN_VISIT') return { subject, description: `${detail}。` };
  return {
    subject,
    description: `${cameIn}${detail}，${random.pick(['已当场解答', '已登记需求并转后台处理', '已告知所需材料和办理时限'])}。`,
  };
}

export function visitNotes(random: SeededRandom, outcome: ReturnVisitOutcome, satisfaction: number | null): string {
  switch (outcome) {
    case 'NO_ANSWER':
      return random.pick(['电话无人接听，稍后再次回访。', '电话占线，约定次日再次回访。']);
    case 'CALLBACK_REQUESTED':
      return random.pick(['客户正在开会，要求晚些时候回电。', '客户正在驾车，约定稍后回电。']);
    case 'DECLINED':
      return '客户表示不需要回访，已礼貌结束通话。';
    case 'REACHED':
      if (satisfaction === null || satisfaction >= 5) return random.pick(['客户对服务非常满意，无其他需求。', '客户表示处理及时、态度很好。']);
      if (satisfaction === 4) return '客户基本满意，希望进一步缩短办理时间。';
      if (satisfaction === 3) return '客户评价一般，认为沟通次数偏多。';
      return random.pick(['客户对处理时效不满意，已反馈服务中心主管跟进。', '客户对处理结果有异议，已转相关部门复核。']);
  }
}
