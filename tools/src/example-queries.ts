// The README's operations live in shared, where the gateway (which builds their plans at start) reads them too.
export { CUSTOMER_360_QUERY, CUSTOMERS_PAGE_QUERY } from '@icg/shared';
