import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex, type ServiceRequestStatus, type ServiceRequestType } from '@icg/shared';
import { TABLES, type CallRecordRow, type ReturnVisitRow, type ServiceRequestRow } from './tables';

export interface ServiceRequestFilter {
  type: ServiceRequestType | null;
  status: ServiceRequestStatus | null;
}

type Key = string | number;

export interface ServiceRequestLoaders {
  serviceRequestById: DataLoader<Key, ServiceRequestRow | null, string>;
  serviceRequestByTicketNo: DataLoader<Key, ServiceRequestRow | null, string>;
  /** One loader per filter, so every customer asking with the same filter shares one statement. */
  serviceRequestsByCustomer(filter: ServiceRequestFilter): DataLoader<Key, ServiceRequestRow[], string>;
  callRecordsByServiceRequest: DataLoader<Key, CallRecordRow[], string>;
  returnVisitsByServiceRequest: DataLoader<Key, ReturnVisitRow[], string>;
}

/** A fresh set per request: DataLoader caches must not outlive the request that filled them. */
export function createLoaders(db: Knex): ServiceRequestLoaders {
  const byCustomer = new Map<string, DataLoader<Key, ServiceRequestRow[], string>>();
  return {
    serviceRequestById: tableRowLoader<ServiceRequestRow>(db, TABLES.serviceRequests, 'id'),
    serviceRequestByTicketNo: tableRowLoader<ServiceRequestRow>(db, TABLES.serviceRequests, 'ticket_no'),
    serviceRequestsByCustomer(filter) {
      const filterKey = `${filter.type ?? '*'}|${filter.status ?? '*'}`;
      let loader = byCustomer.get(filterKey);
      if (!loader) {
        loader = tableGroupLoader<ServiceRequestRow>(db, TABLES.serviceRequests, 'customer_id', (query) => {
          if (filter.type) query.where('type', filter.type);
          if (filter.status) query.where('status', filter.status);
          return query.orderBy([
            { column: 'opened_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ]);
        });
        byCustomer.set(filterKey, loader);
      }
      return loader;
    },
    callRecordsByServiceRequest: tableGroupLoader<CallRecordRow>(db, TABLES.callRecords, 'service_request_id', (query) =>
      query.orderBy([{ column: 'started_at' }, { column: 'id' }]),
    ),
    returnVisitsByServiceRequest: tableGroupLoader<ReturnVisitRow>(db, TABLES.returnVisits, 'service_request_id', (query) =>
      query.orderBy([{ column: 'scheduled_for' }, { column: 'id' }]),
    ),
  };
}
