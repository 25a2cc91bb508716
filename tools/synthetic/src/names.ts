import { Faker, base, en, zh_CN } from '@faker-js/faker';
import { deriveSeed } from './random';

/** Chinese names, companies and streets; one faker, reseeded per entity so output is order-independent. */
const faker = new Faker({ locale: [zh_CN, en, base] });

export function fakerFor(...parts: (string | number)[]): Faker {
  faker.seed(deriveSeed(...parts));
  return faker;
}

export function chineseName(parts: (string | number)[], gender: 'MALE' | 'FEMALE'): string {
  const generator = fakerFor('name', ...parts);
  return generator.person.lastName() + generator.person.firstName(gender === 'MALE' ? 'male' : 'female');
}
