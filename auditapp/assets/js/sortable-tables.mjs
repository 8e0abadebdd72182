// Makes tables marked data-module="moj-sortable-table" sortable by their column headings
// (MOJ Frontend). Without JavaScript the tables are plain GOV.UK tables in a sensible order.
import { SortableTable } from './moj-frontend.min.js'

for (const table of document.querySelectorAll('[data-module="moj-sortable-table"]')) {
  if (!table.hasAttribute('data-moj-sortable-table-init')) {
    new SortableTable(table) // eslint-disable-line no-new
  }
}
