// What elasticsearch says about itself: plain data for GET /v1/integrations and the worker's catalog (no client, no activity code).
import type { IntegrationInfo } from '../shared/integration.ts';

export const info: IntegrationInfo = {
  name: 'elasticsearch',
  title: 'Elasticsearch / OpenSearch _search',
  category: 'hunting',
  docUrl: 'https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-search',
  activities: ['elasticsearchHunt'],
  settings: [
    { name: 'ELASTICSEARCH_URL', description: 'https://es.example:9200', required: true },
    { name: 'ELASTICSEARCH_AUTHORIZATION', description: 'the Authorization header: `ApiKey <base64>` or `Basic <base64>`', required: true, secret: true },
    { name: 'ELASTICSEARCH_INDEX', description: 'indices or patterns searched (logs-*)' },
    { name: 'ELASTICSEARCH_TIMESTAMP_FIELD', description: 'the event time field (@timestamp)' },
  ],
};
