import { MASK_STYLES, type MaskStyle } from '../access-policy';
import { applyMask, maskValue } from '../masks';

describe('applyMask: the renderings of docs/access-model.md section 2', () => {
  it.each<[MaskStyle, string, string]>([
    ['RESIDENT_ID', '11010519491231002X', '1101**********002X'],
    ['MOBILE', '13812348000', '138****8000'],
    ['NAME', '张三丰', '张**'],
    ['EMAIL', 'zhangsan@example.cn', 'z***@example.cn'],
    ['ADDRESS', '广东省深圳市南山区科技园路1号', '广东省深圳市****'],
    ['BANK_ACCOUNT', '6222021234567890123', '***************0123'],
    ['PLATE', '粤B12345', '粤B***45'],
    ['PLATE', '粤BD12345', '粤B****45'],
  ])('%s %s → %s', (style, clear, masked) => {
    expect(applyMask(style, clear)).toBe(masked);
    expect(applyMask(style, clear)).toBe(masked); // deterministic
  });
});

describe('applyMask: edge cases never reveal more than the rule allows', () => {
  it.each<[MaskStyle, string, string]>([
    // Too short for the rule: nothing kept.
    ['MOBILE', '13812', '*****'],
    ['MOBILE', '1381234800', '**********'],
    ['RESIDENT_ID', '11010519491231002', '*****************'],
    ['RESIDENT_ID', '110105491231002', '***************'],
    ['BANK_ACCOUNT', '622202123456', '************'],
    ['BANK_ACCOUNT', '0123', '****'],
    ['PLATE', '粤B1234', '******'],
    ['PLATE', '粤B', '**'],
    ['NAME', '张', '*'],
    ['EMAIL', 'a@example.cn', '***@example.cn'],
    ['EMAIL', 'not-an-email', '***'],
    ['EMAIL', '@example.cn', '***'],
    ['EMAIL', 'zhangsan@', '***'],
    // Longer or formatted values keep only the rule's characters.
    ['MOBILE', '+8613812348000', '+86*******8000'],
    ['MOBILE', '138 1234 8000', '138****8000'],
    ['MOBILE', '138-1234-8000', '138****8000'],
    ['RESIDENT_ID', '110105 19491231 002X', '1101**********002X'],
    ['BANK_ACCOUNT', '6222 0212 3456 7890 123', '***************0123'],
    ['BANK_ACCOUNT', '6222021234567890', '************7890'],
    ['PLATE', '粤B·12345', '粤B***45'],
    ['PLATE', '粤B12345D', '粤B****5D'],
    // Names count Unicode code points, not UTF-16 units.
    ['NAME', '张三', '张*'],
    ['NAME', '欧阳娜娜', '欧***'],
    ['NAME', '𠀀𠀁𠀂', '𠀀**'],
    ['EMAIL', '张三@例子.中国', '张***@例子.中国'],
    ['EMAIL', 'a@b@example.cn', 'a***@example.cn'],
    // Empty stays empty (nothing to hide) for fixed-length styles.
    ['MOBILE', '', ''],
    ['NAME', '', ''],
  ])('%s %s → %s', (style, clear, masked) => {
    expect(applyMask(style, clear)).toBe(masked);
  });

  it.each<[string, string]>([
    ['北京市朝阳区建国路88号', '北京市****'],
    ['上海市浦东新区世纪大道100号', '上海市****'],
    ['重庆市渝中区解放碑', '重庆市****'],
    ['香港特别行政区九龙弥敦道', '香港特别行政区****'],
    ['广西壮族自治区南宁市青秀区民族大道', '广西壮族自治区南宁市****'],
    ['广东省广州市天河区体育西路', '广东省广州市****'],
    ['浙江省杭州市西湖区文三路', '浙江省杭州市****'],
    ['黑龙江省哈尔滨市道里区', '黑龙江省哈尔滨市****'],
    ['四川省凉山彝族自治州西昌市', '四川省凉山彝族自治州****'],
    ['内蒙古自治区锡林郭勒盟锡林浩特市', '内蒙古自治区锡林郭勒盟****'],
    ['新疆维吾尔自治区阿克苏地区阿克苏市', '新疆维吾尔自治区阿克苏地区****'],
    ['黑龙江省大兴安岭地区', '黑龙江省大兴安岭地区****'],
    ['新疆维吾尔自治区乌鲁木齐市天山区', '新疆维吾尔自治区乌鲁木齐市****'],
    ['新疆维吾尔自治区克孜勒苏柯尔克孜自治州阿图什市', '新疆维吾尔自治区克孜勒苏柯尔克孜自治州****'],
    ['福建省厦门市思明区', '福建省厦门市****'],
    ['海南省儋州市那大镇', '海南省儋州市****'],
    ['广东省深圳市', '广东省深圳市****'],
    [' 广东省 深圳市 南山区', '广东省深圳市****'],
    // No city part: a later 市 never pulls the district or street in.
    ['广东省南山区科技园路1号市场', '广东省****'],
    ['广东省深圳湾科技园10栋超市', '广东省****'],
    ['广东省深圳湾科技园超市', '广东省****'],
    ['广东省华侨城东部工业区超市', '广东省****'],
    ['湖北省神农架林区松柏镇', '湖北省****'],
    // No recognisable province: nothing kept.
    ['深圳市南山区科技园路1号', '****'],
    ['Room 5, 1 Science Park Road', '****'],
    ['', '****'],
  ])('ADDRESS %s → %s', (clear, masked) => {
    expect(applyMask('ADDRESS', clear)).toBe(masked);
  });

  it('never returns a non-empty clear value unchanged', () => {
    const samples = ['1', '12', '138', '1381234', '13812348000', '张', '张三', 'a@b.cn', '粤B1', '广东省', '北京市', 'x', '6222021234567890123'];
    for (const style of MASK_STYLES) {
      for (const sample of samples) expect(applyMask(style, sample)).not.toBe(sample);
    }
  });
});

describe('maskValue', () => {
  it('passes null through and masks strings', () => {
    expect(maskValue('MOBILE', null)).toBeNull();
    expect(maskValue('MOBILE', '13812348000')).toBe('138****8000');
  });
});
