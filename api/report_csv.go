package api

import (
	"bufio"
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/humas-id/humas/analytics"
	"github.com/humas-id/humas/csvsafe"
)

// csvTable is a report as CSV: column keys (translated by lang) and its
// rows, made one at a time as they are written (a large report is never
// held twice, as figures and as text).
type csvTable struct {
	cols []string
	each func(emit func(row []string) error) error
}

// csvHeaders are the column titles per language.
var csvHeaders = map[string][2]string{
	"content_type":             {"content_type", "Jenis konten"},
	"platform":                 {"platform", "Platform"},
	"unit":                     {"unit", "ID unit"},
	"unit_name":                {"unit_name", "Unit"},
	"channel":                  {"channel", "ID kanal"},
	"channel_name":             {"channel_name", "Kanal"},
	"campaign":                 {"campaign", "Kampanye"},
	"week":                     {"week", "Minggu (Senin)"},
	"month":                    {"month", "Bulan"},
	"posts":                    {"posts", "Jumlah postingan"},
	"rated_posts":              {"rated_posts", "Postingan dengan penyebut"},
	"reach":                    {"reach", "Jangkauan"},
	"views":                    {"views", "Tayangan"},
	"interactions":             {"interactions", "Interaksi"},
	"reactions":                {"reactions", "Reaksi"},
	"likes":                    {"likes", "Suka"},
	"comments":                 {"comments", "Komentar"},
	"shares":                   {"shares", "Dibagikan"},
	"saves":                    {"saves", "Disimpan"},
	"clicks":                   {"clicks", "Klik"},
	"video_views":              {"video_views", "Tayangan video"},
	"engagement_rate":          {"engagement_rate", "Tingkat engagement"},
	"avg_post_engagement_rate": {"avg_post_engagement_rate", "Rata-rata tingkat engagement per postingan"},
	"post_id":                  {"post_id", "ID postingan"},
	"published_at":             {"published_at", "Waktu terbit (UTC)"},
	"permalink":                {"permalink", "Tautan"},
	"caption_excerpt":          {"caption_excerpt", "Cuplikan keterangan"},
	"weekday":                  {"weekday", "Hari (1 = Senin)"},
	"hour":                     {"hour", "Jam"},
	"median_engagement_rate":   {"median_engagement_rate", "Median tingkat engagement"},
	"too_few":                  {"too_few", "Terlalu sedikit data"},
	"hashtag":                  {"hashtag", "Tagar"},
	"day":                      {"day", "Tanggal"},
	"followers":                {"followers", "Pengikut"},
	"growth":                   {"growth", "Pertumbuhan"},
}

func writeCSV(c *gin.Context, name string, t csvTable, lang string) error {
	idx := 0
	if lang == "id" {
		idx = 1
	}
	head := make([]string, len(t.cols))
	for i, k := range t.cols {
		head[i] = csvHeaders[k][idx]
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	c.Status(200)
	// Every text cell (campaigns, channel and unit names, captions) is
	// defused against spreadsheet formulas; figures stay numbers. In
	// Bahasa Indonesia the file is what Excel in an Indonesian locale
	// opens as columns: a UTF-8 BOM, ';' between fields, decimal commas.
	// One large buffer: csv's own 4 KiB one made a write system call per
	// 4 KiB (a year of follower counts is 3.6 MB).
	bw := bufio.NewWriterSize(c.Writer, csvBuffer)
	w := csvsafe.NewWriter(bw)
	if lang == "id" {
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		w = csvsafe.NewLocaleWriter(bw, ';', true)
	}
	if err := w.Write(head); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := t.each(w.Write); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// csvBuffer is what writeCSV holds before writing to the client.
const csvBuffer = 64 << 10

func csvUint(v uint64) string { return strconv.FormatUint(v, 10) }

func csvRate(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 6, 64)
}

func csvStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var csvFigureCols = []string{"posts", "rated_posts", "reach", "views", "interactions", "reactions", "likes", "comments",
	"shares", "saves", "clicks", "video_views", "engagement_rate", "avg_post_engagement_rate"}

func csvFigureCells(f analytics.Figures) []string {
	return []string{csvUint(f.Posts), csvUint(f.RatedPosts), csvUint(f.Reach), csvUint(f.Views), csvUint(f.Interactions), csvUint(f.Reactions), csvUint(f.Likes),
		csvUint(f.Comments), csvUint(f.Shares), csvUint(f.Saves), csvUint(f.Clicks), csvUint(f.VideoViews), csvRate(f.EngagementRate),
		csvRate(f.AvgPostEngagementRate)}
}

func engagementTable(rep *analytics.EngagementReport) csvTable {
	var t csvTable
	for _, k := range rep.GroupBy {
		switch k {
		case "unit":
			t.cols = append(t.cols, "unit", "unit_name")
		case "channel":
			t.cols = append(t.cols, "channel", "channel_name")
		default:
			t.cols = append(t.cols, k)
		}
	}
	t.cols = append(t.cols, csvFigureCols...)
	t.each = func(emit func([]string) error) error {
		row := make([]string, 0, len(t.cols))
		for _, r := range rep.Rows {
			row = row[:0]
			for _, k := range rep.GroupBy {
				switch k {
				case "content_type":
					row = append(row, csvStr(r.ContentType))
				case "platform":
					row = append(row, csvStr(r.Platform))
				case "unit":
					row = append(row, csvUint(*r.Unit), csvStr(r.UnitName))
				case "channel":
					row = append(row, csvUint(*r.Channel), csvStr(r.ChannelName))
				case "campaign":
					row = append(row, csvStr(r.Campaign))
				case "week":
					row = append(row, csvStr(r.Week))
				case "month":
					row = append(row, csvStr(r.Month))
				}
			}
			if err := emit(append(row, csvFigureCells(r.Figures)...)); err != nil {
				return err
			}
		}
		return nil
	}
	return t
}

func postsTable(rep *analytics.PostsReport) csvTable {
	t := csvTable{cols: []string{"platform", "post_id", "published_at", "content_type", "channel", "channel_name", "campaign",
		"permalink", "caption_excerpt", "reach", "views", "interactions", "reactions", "likes", "comments", "shares",
		"saves", "clicks", "video_views", "engagement_rate"}}
	t.each = func(emit func([]string) error) error {
		for _, p := range rep.Posts {
			if err := emit([]string{p.Platform, p.PostID, p.PublishedAt.Format("2006-01-02T15:04:05Z"), p.ContentType,
				csvUint(p.Channel), p.ChannelName, p.Campaign, p.Permalink, p.Caption, csvUint(p.Reach), csvUint(p.Views), csvUint(p.Interactions),
				csvUint(p.Reactions), csvUint(p.Likes), csvUint(p.Comments), csvUint(p.Shares), csvUint(p.Saves), csvUint(p.Clicks), csvUint(p.VideoViews),
				csvRate(p.EngagementRate)}); err != nil {
				return err
			}
		}
		return nil
	}
	return t
}

func bestTimesTable(rep *analytics.BestTimesReport) csvTable {
	t := csvTable{cols: []string{"weekday", "hour", "posts", "rated_posts", "median_engagement_rate", "too_few"}}
	t.each = func(emit func([]string) error) error {
		for _, c := range rep.Cells {
			if err := emit([]string{strconv.Itoa(c.Weekday), strconv.Itoa(c.Hour), strconv.Itoa(c.Posts),
				strconv.Itoa(c.RatedPosts), csvRate(c.MedianEngagementRate), strconv.FormatBool(c.TooFew)}); err != nil {
				return err
			}
		}
		return nil
	}
	return t
}

func hashtagsTable(rep *analytics.HashtagsReport) csvTable {
	t := csvTable{cols: append([]string{"hashtag"}, csvFigureCols...)}
	t.each = func(emit func([]string) error) error {
		for _, r := range rep.Rows {
			if err := emit(append([]string{r.Hashtag}, csvFigureCells(r.Figures)...)); err != nil {
				return err
			}
		}
		return nil
	}
	return t
}

func followersTable(rep *analytics.FollowersReport) csvTable {
	t := csvTable{cols: []string{"channel", "channel_name", "platform", "day", "followers", "growth"}}
	t.each = func(emit func([]string) error) error {
		// A year is 100,000 rows: one row slice, the channel's cells once.
		row := make([]string, 6)
		for _, c := range rep.Channels {
			row[0], row[1], row[2] = csvUint(c.Channel), c.ChannelName, c.Platform
			for _, d := range c.Days {
				row[5] = ""
				if d.Growth != nil {
					row[5] = strconv.FormatInt(*d.Growth, 10)
				}
				row[3], row[4] = d.Day, csvUint(d.Followers)
				if err := emit(row); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return t
}
