// Package report builds the division head's report as one Document (the
// figures, findings, tables and charts of a unit over a period, with the
// office's letterhead) and renders it as a PDF (go-pdf/fpdf, fonts
// embedded), an Excel workbook (excelize) and CSV. The web page renders
// the same Document as HTML, so the page, its print view, the PDF and the
// workbook carry the same content.
package report

import (
	"math"
	"time"
)

// Letterhead is an office's kop surat and the signature block under a
// report, as its admin set them.
type Letterhead struct {
	UnitID    int64
	UnitName  string
	Parent    string // the office above, printed over the name (e.g. KPU RI)
	Address   string
	Contact   string // telephone, e-mail, website
	City      string // the place on the signature's date line
	Logo      []byte // PNG or JPEG, checked when uploaded
	LogoType  string // "png" or "jpeg"
	HeadTitle string // e.g. "Kepala Divisi Teknis Penyelenggaraan"; default "Kepala <unit>"
	HeadName  string
	HeadID    string // NIP
}

// Document is a report, ready to render.
type Document struct {
	Lang       string
	Loc        *time.Location
	Letterhead Letterhead
	Title      string
	Scope      string // which offices the figures cover
	Period     Period
	// PeriodLabel (November 2026), RangeLabel (its dates) and
	// CompareLabel (what it is compared with).
	PeriodLabel, RangeLabel, CompareLabel string
	Generated                             time.Time
	GeneratedLabel                        string
	// Notices say what the data do not cover (a channel connected
	// mid-period); they go at the top.
	Notices  []string
	Cards    []Card
	Findings []FindingText
	Charts   []Chart
	Sections []Section
	BestTime BestTime
	// Definition states how the figures were computed.
	Definition string
	// Empty is true when the period has no posts.
	Empty bool
}

// Card is one figure of the summary, against the period before.
type Card struct {
	Key, Label string
	Value      string
	Prev       string // "sebelumnya 151"
	Change     string // "+12,0%" or "+0,90 pp"
	// Tone is "up" or "down" only when the change is meaningful: pages
	// colour only those.
	Tone string
	// Verdict says whether the change is meaningful, in words.
	Verdict string
	Note    string
	// Num and Format are the figure for spreadsheets (Format: int, pct).
	Num    float64
	Format string
	// PrevNum is the previous period's figure (NaN when missing).
	PrevNum float64
}

// FindingText is one finding in the document's language.
type FindingText struct {
	Kind       string
	Text       string
	Posts      int
	Meaningful bool
	Direction  int
}

// Chart is a grouped bar chart of rates (this period and the one before).
type Chart struct {
	ID, Title, Desc string
	Categories      []string
	Series          []Series
}

// Series is one set of bars; a NaN value draws no bar.
type Series struct {
	Name   string
	Class  string // cur or prev
	Values []float64
}

// Kinds of column.
const (
	Text     = "text"
	Integer  = "int"
	Percent  = "pct"  // a ratio shown as a percentage
	Points   = "pp"   // a change of a rate in percentage points
	Relative = "rel"  // a relative change
	Stamp    = "time" // a date and time (local)
	Thumb    = "thumb"
)

// Column is a table column. ScreenOnly columns (thumbnails) show on the
// page only; DataOnly ones (raw links) go to spreadsheets only, never to
// print or PDF.
type Column struct {
	Head       string
	Kind       string
	Width      float64 // share of the page width in the PDF
	ScreenOnly bool
	DataOnly   bool
}

// Cell is a table cell: the text every format shows and, for figures, the
// number spreadsheets get.
type Cell struct {
	Text  string
	Num   float64 // NaN = empty
	Time  time.Time
	Tone  string // up or down: a meaningful change
	Link  string // the page links the text here (never printed)
	Image string // a thumbnail's URL (page only)
	// Indent is the depth of a roll-up row.
	Indent int
}

// NoNum is the Num of a cell without a figure.
var NoNum = math.NaN()

// Section is a titled table. DataOnly sections go to spreadsheets and CSV
// only (the page and PDF draw them, e.g. as the best-time grid).
type Section struct {
	ID, Title, Sheet string
	Note             string
	Columns          []Column
	Rows             [][]Cell
	DataOnly         bool
	// Empty is said instead of an empty table.
	Empty string
}

// BestTime is the weekday × hour grid of median ER.
type BestTime struct {
	Title, Desc string
	Cells       [7][24]GridCell // [0] = Monday, local hours
	MinPosts    int
	Few         string // the word for a cell with too few posts
}

// GridCell is one weekday × hour: median ER (NaN when too few posts).
type GridCell struct {
	Value float64
	Posts int
}
