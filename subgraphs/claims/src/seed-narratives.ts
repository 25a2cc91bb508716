import type { LineOfBusiness } from '@icg/shared';
import type { SeededRandom } from '@icg/synthetic';
import type { ClaimCause } from './records';

/**
 * The free text a claims system holds (loss descriptions, injury and medical details, assessment
 * notes), written the way Chinese claims staff write it. Synthetic: no real person or case.
 * Injuries, illness and treatment go only into the HEALTH texts (injuryNarrative, medicalDetails);
 * every other text says nothing of anyone's health (docs/access-model.md section 1).
 */

const ROADS = [
  '人民路',
  '解放路',
  '中山路',
  '建设路',
  '和平路',
  '新华路',
  '滨江大道',
  '科技园路',
  '工业大道',
  '环城北路',
  '长江路',
  '迎宾大道',
  '东风路',
  '文化路',
  '学府路',
  '金融街',
];
const TYPHOONS = ['山竹', '利奇马', '烟花', '梅花', '杜苏芮', '海葵', '摩羯', '贝碧嘉'];
const HOSPITALS = ['第一人民医院', '第二人民医院', '人民医院', '中医院', '中心医院', '骨科医院'];
const REPAIR_SHOPS = ['通达', '顺捷', '永安', '恒信', '广汇', '骏马', '安驰', '鑫源', '华诚', '德众'];

export const INJURIES = [
  '左胫腓骨骨折',
  '右桡骨远端骨折',
  '颈部软组织挫伤',
  '腰椎压缩性骨折',
  '头皮裂伤，清创缝合6针',
  '右踝关节韧带撕裂',
  '全身多处皮肤擦挫伤',
  '左侧第4、5肋骨骨折',
  '轻型颅脑损伤（脑震荡）',
  '右手中指末节离断伤',
];
export const ILLNESSES = [
  '急性阑尾炎',
  '社区获得性肺炎',
  '急性心肌梗死',
  '胆囊结石伴急性胆囊炎',
  '2型糖尿病伴周围神经病变',
  '甲状腺乳头状癌',
  '急性脑梗死',
  '腰椎间盘突出症',
  '乳腺恶性肿瘤',
];

export const REOPEN_REASONS = [
  '被保险人补充提交后续费用单据，申请重开',
  '第三者提起诉讼，法院判决增加赔偿金额',
  '车辆修复过程中发现隐蔽损伤，申请补充定损',
  '原理算金额计算有误，需重新理算',
  '发现新的损失项目，申请补充赔付',
];

const DENIAL_REASONS: Record<LineOfBusiness, readonly string[]> = {
  MOTOR: ['驾驶人饮酒后驾驶', '驾驶人未取得有效驾驶证', '车辆私自改变使用性质从事营运'],
  PROPERTY: ['损失系设备自然磨损所致', '受损财产不在保险标的清单内'],
  CARGO: ['损失系货物包装不当所致', '货物自然损耗属责任免除'],
  LIABILITY: ['被保险人对损失不承担法律赔偿责任', '索赔事项属于合同约定责任'],
  ENGINEERING: ['损失系设计错误所致，属责任免除', '损失发生在工程验收交付之后'],
  ACCIDENT_HEALTH: ['投保时未履行如实告知义务', '保险事故发生在合同约定的等待期内'],
};
const ANY_LINE_DENIAL_REASONS = ['事故发生在保险期间以外', '存在故意制造事故嫌疑'];

export function dateInChinese(isoDay: string): string {
  const [year, month, day] = isoDay.split('-').map(Number);
  return `${year}年${month}月${day}日`;
}

/** One formatter for all amounts: `toLocaleString` with options builds a new one on every call. */
const YUAN = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatYuan(amount: number): string {
  return YUAN.format(amount);
}

export function address(random: SeededRandom, city: string): string {
  return `${city}${random.pick(ROADS)}${random.int(1, 999)}号`;
}

export function hospitalIn(random: SeededRandom, city: string): string {
  return `${city}${random.pick(HOSPITALS)}`;
}

export function repairShopIn(random: SeededRandom, city: string): string {
  return `${city}${random.pick(REPAIR_SHOPS)}汽车维修服务有限公司`;
}

export interface LossFacts {
  cause: ClaimCause;
  line: LineOfBusiness;
  lossDate: string;
  city: string;
  plate: string | null;
  injury: string | null;
  thirdPartyInvolved: boolean;
}

/** The same words for every accident & health claim, so the general text tells injury and illness apart no more than the cause does. */
function personalClaimReport(facts: LossFacts): string {
  return `${dateInChinese(facts.lossDate)}出险，被保险人报案申请保险金给付，已告知所需单据。`;
}

/** 出险经过: what happened, as the report taker records it, without anyone's injuries or illness. */
export function lossDescription(random: SeededRandom, facts: LossFacts): string {
  const when = `${dateInChinese(facts.lossDate)}${random.int(0, 23)}时许`;
  const where = address(random, facts.city);
  const vehicle = facts.plate ? `被保险车辆${facts.plate}` : '被保险车辆';
  switch (facts.cause) {
    case 'COLLISION':
      return `${when}，驾驶人驾驶${vehicle}行经${where}附近时${random.pick(['与前方车辆发生追尾', '与右侧车辆发生刮擦', '避让行人时撞上路边护栏', '倒车时与停放车辆发生碰撞'])}，造成${random.pick(['前保险杠及左前大灯损坏', '右侧车门及后视镜受损', '后保险杠变形、尾灯破裂', '发动机盖及水箱受损'])}${facts.thirdPartyInvolved ? '，三者车辆受损' : ''}。交警已出具事故认定书。`;
    case 'THEFT':
      if (facts.line === 'MOTOR') return `${vehicle}于${when}停放在${where}路边后被盗，被保险人已向当地公安机关报案并取得立案回执。`;
      return `${when}，被保险人位于${where}的${random.pick(['仓库', '门店', '厂房'])}遭撬门盗窃，丢失${random.pick(['库存电子产品一批', '铜材约2吨', '成品服装300余件', '办公电脑12台'])}，已报警。`;
    case 'FIRE':
      if (facts.line === 'MOTOR') return `${when}，${vehicle}行驶至${where}时发动机舱冒烟起火，驾驶人及时撤离，车辆前部烧毁。`;
      return `${when}，被保险人位于${where}的${random.pick(['厂房', '仓库', '商铺'])}因${random.pick(['电气线路老化短路', '员工违规动火作业', '邻近商铺起火蔓延'])}发生火灾，烧毁${random.pick(['部分库存原材料', '生产设备两台', '货架及商品若干'])}，消防部门已出具火灾事故认定书。`;
    case 'FLOOD':
      if (facts.line === 'MOTOR') return `${when}，${facts.city}持续强降雨，${vehicle}在${where}附近涉水行驶导致发动机进水熄火。`;
      return `${when}，${facts.city}遭遇强降雨，被保险人位于${where}的${random.pick(['地下仓库', '一层厂房', '施工基坑'])}被水淹，${random.pick(['库存货物浸水受损', '机器设备进水', '基坑边坡坍塌'])}。`;
    case 'TYPHOON':
      return `受台风“${random.pick(TYPHOONS)}”影响，${when}${where}出现强风暴雨，${facts.line === 'MOTOR' ? `${vehicle}被倒伏树木砸中，车顶及挡风玻璃受损` : random.pick(['厂房彩钢瓦屋面被掀翻', '围墙倒塌砸坏设备', '玻璃幕墙破裂、室内进水'])}。`;
    case 'INJURY':
      if (facts.line === 'ACCIDENT_HEALTH') return personalClaimReport(facts);
      if (facts.line === 'MOTOR') return `${when}，${vehicle}在${where}附近与行人发生碰撞。交警认定被保险车辆负主要责任。`;
      return `${when}，第三者在被保险人经营场所（${where}）内发生意外，向被保险人提出索赔。`;
    case 'ILLNESS':
      return personalClaimReport(facts);
    case 'CARGO_DAMAGE':
      return `承运的${random.pick(['电子元器件', '冷链食品', '实木家具', '陶瓷制品', '纺织原料'])}在${random.pick(['公路运输途中车辆紧急制动', '装卸过程中叉车操作不当', '海运途中遭遇恶劣天气', '中转仓库冷藏设备故障'])}，${random.pick(['部分货物破损', '货物受潮变形', '货物变质'])}，收货人于${dateInChinese(facts.lossDate)}在${facts.city}验收时发现。`;
    case 'LIABILITY':
      if (facts.line === 'MOTOR')
        return `${when}，${vehicle}在${where}附近${random.pick(['刮倒路边广告牌', '撞坏小区道闸', '碰撞路边停放的电动车'])}，造成第三者财产损失，被保险车辆负全部责任。`;
      return `${when}，被保险人${random.pick(['施工过程中', '经营过程中', '装修作业时'])}${random.pick(['造成相邻房屋墙体开裂', '高空坠物砸坏第三者车辆', '管道破裂致楼下商户浸水'])}，第三者提出索赔。`;
    case 'OTHER':
      if (facts.line === 'MOTOR')
        return `${when}，${vehicle}在${where}附近${random.pick(['行驶时挡风玻璃被飞石击碎', '停放时被高空坠物砸中车顶', '被人为刮花车身漆面'])}。`;
      return `${when}，被保险人位于${where}的${random.pick(['玻璃幕墙意外破裂', '空调主机意外损坏', '给水管道爆裂造成室内浸水', '配电柜意外短路损坏'])}。`;
  }
}

/** 人伤经过 (RESTRICTED HEALTH): who was hurt or ill and how; null when nobody was. */
export function injuryNarrative(random: SeededRandom, facts: LossFacts): string | null {
  if (!facts.injury) return null;
  switch (facts.cause) {
    case 'ILLNESS':
      return `被保险人因${facts.injury}于${dateInChinese(facts.lossDate)}入院治疗，申请住院医疗保险金。`;
    case 'INJURY':
      if (facts.line === 'ACCIDENT_HEALTH')
        return `被保险人${random.pick(['不慎摔倒', '骑电动自行车与机动车相撞', '工作中被机械设备夹伤', '下楼时踩空跌落'])}，致${facts.injury}，送医治疗。`;
      if (facts.line === 'MOTOR') return `行人被撞致${facts.injury}，已送医治疗。`;
      return `第三者${random.pick(['因地面湿滑摔倒', '被掉落的货物砸伤', '被未设警示的设备绊倒'])}，致${facts.injury}，已送医治疗。`;
    default:
      return `事故致一人${facts.injury}，已送医治疗。`;
  }
}

/** 伤情 and 诊疗 details for an injured participant or a sick insured (RESTRICTED HEALTH). */
export function medicalDetails(random: SeededRandom, hospital: string, medicalFees: number): string {
  const treatment = random.chance(0.6) ? `住院治疗${random.int(2, 30)}天` : '门诊治疗';
  const procedure = random.pick(['行切开复位内固定术', '予保守治疗', '行腹腔镜手术', '予药物治疗及康复理疗', '行清创缝合术']);
  const outcome = random.pick(['已出院', '仍在康复治疗中', '伤情稳定，遵医嘱复查']);
  return `${hospital}${treatment}，${procedure}，医疗费用合计${formatYuan(medicalFees)}元，${outcome}。`;
}

export interface AssessmentFacts {
  line: LineOfBusiness;
  assessedAmount: number;
}

/** 定损/核损意见: how the assessor arrived at the amount. */
export function assessmentNotes(random: SeededRandom, facts: AssessmentFacts): string {
  const amount = facts.assessedAmount;
  switch (facts.line) {
    case 'MOTOR': {
      const labour = Math.round(amount * random.amount(0.2, 0.4) * 100) / 100;
      return `定损项目：${random.pick(['前保险杠、左前大灯、水箱框架', '右前门、右后视镜', '后保险杠、尾灯总成', '发动机盖、散热器'])}更换，钣金喷漆${random.int(1, 4)}处；工时费${formatYuan(labour)}元，配件费${formatYuan(Math.round((amount - labour) * 100) / 100)}元。`;
    }
    case 'ACCIDENT_HEALTH':
      return `审核费用发票及相关单据，核定合理费用${formatYuan(amount)}元，已扣除不属于保险责任的项目。`;
    case 'CARGO':
      return `现场清点受损货物${random.int(3, 200)}件，按发票价值定损${formatYuan(amount)}元，残值归被保险人。`;
    case 'LIABILITY':
      return `依据${random.pick(['交警事故责任认定书', '人民调解协议书', '法院民事判决书'])}，核定第三者损失${formatYuan(amount)}元。`;
    case 'PROPERTY':
    case 'ENGINEERING':
      return `现场查勘清点受损财产，按重置价值扣除折旧定损${formatYuan(amount)}元，${random.pick(['已拍照留档', '附损失清单', '经被保险人签字确认'])}。`;
  }
}

export function supersededAssessmentNotes(random: SeededRandom): string {
  return `核损未通过：${random.pick(['配件价格高于当地市场价', '部分损失项目与本次事故无关', '维修方案可修复不必更换'])}，退回重新定损。`;
}

export const ZERO_CLOSURE_NOTE = '损失金额未超过保单免赔额，经与被保险人沟通，同意零结案。';

export function denialNote(random: SeededRandom, line: LineOfBusiness): string {
  const reason = random.chance(0.2) ? random.pick(ANY_LINE_DENIAL_REASONS) : random.pick(DENIAL_REASONS[line]);
  return `经调查核实，${reason}，依据保险条款不予赔付。`;
}

export function supplementaryAssessmentNote(random: SeededRandom, reason: string): string {
  return `重开案件补充定损（${reason.replace(/，申请.*$/, '')}），${random.pick(['待核损', '核损中', '已提交核损'])}。`;
}
