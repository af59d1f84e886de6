import { error } from '@sveltejs/kit';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { writeCsv, type Cell } from '../../csv';
import { centsToPrice } from '../../format/money';

// The spreadsheet conventions an export is written in, chosen on the exports page (`?format=`):
// - standard: `,` between cells, `1099.00`, times in UTC as ISO 8601 (what scripts and most tools
//   read);
// - excel-eu: what Excel in European locales opens with a double click: a UTF-8 byte-order mark
//   (so that accents survive), `;` between cells, decimal commas (`1099,00`), and times as local
//   wall-clock time in the season's time zone (`2026-03-04 13:05:00`, which Excel reads as a
//   date and time in every locale).
// Formula-like text stays text in both (writeCsv).

export const EXPORT_FORMATS = ['standard', 'excel-eu'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Sheet {
	format: ExportFormat;
	/** An instant as the file writes it. */
	time: (ms: number) => string;
	/** An amount in cents as the file writes it. */
	price: (cents: number) => string;
	write: (fields: readonly string[], rows: readonly (readonly Cell[])[]) => string;
}

const BOM = '\uFEFF';

export const STANDARD_SHEET: Sheet = {
	format: 'standard',
	time: (ms) => new Date(ms).toISOString(),
	price: centsToPrice,
	write: (fields, rows) => writeCsv(fields, rows)
};

/** The conventions of `format` for a season in `timeZone`. */
export function sheetFor(exportFormat: ExportFormat, timeZone: string): Sheet {
	if (exportFormat === 'standard') return STANDARD_SHEET;
	return {
		format: exportFormat,
		time: (ms) => format(new TZDate(ms, timeZone), 'yyyy-MM-dd HH:mm:ss'),
		price: (cents) => centsToPrice(cents).replace('.', ','),
		write: (fields, rows) => BOM + writeCsv(fields, rows, { delimiter: ';', decimalComma: true })
	};
}

export function isExportFormat(value: unknown): value is ExportFormat {
	return (EXPORT_FORMATS as readonly unknown[]).includes(value);
}

/** `?format=`: absent means standard; anything unknown is a 400 that names the choices. */
export function exportFormatOf(params: URLSearchParams): ExportFormat {
	const raw = params.get('format');
	if (raw === null || raw === '') return 'standard';
	if (!isExportFormat(raw))
		error(400, { message: `format must be one of: ${EXPORT_FORMATS.join(', ')}` });
	return raw;
}
