package csvsafe

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSafe(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://evil.example","klik")`: `'=HYPERLINK("http://evil.example","klik")`,
		"+6281234567":        "'+6281234567",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\t=1+1":             "'\t=1+1",
		"\r=1+1":             "'\r=1+1",
		"-":                  "'-",
		"KPU Kota Salatiga":  "KPU Kota Salatiga",
		"2026-11-01":         "2026-11-01",
		"":                   "",
		"0.023500":           "0.023500",
		"-0.450000":          "-0.450000",
		"-12":                "-12",
		"1e-05":              "1e-05",
		"-1.5E+3":            "-1.5E+3",
		"-.5":                "'-.5",
		"-1.":                "'-1.",
		"-1e":                "'-1e",
		"- 1":                "'- 1",
		"'already quoted":    "'already quoted",
		"#tagar":             "#tagar",
		"https://x.example/": "https://x.example/",
	}
	for in, want := range cases {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterNeutralisesEveryCell: the writer applies the rule to every
// cell and still quotes as CSV must.
func TestWriterNeutralisesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteAll([][]string{{"name", "er"}, {`=HYPERLINK("http://evil.example","x")`, "-0.5"}, {"@kpu, \"ri\"", "12"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"name", "er"}, {`'=HYPERLINK("http://evil.example","x")`, "-0.5"}, {`'@kpu, "ri"`, "12"}}
	for i := range want {
		for j := range want[i] {
			if rows[i][j] != want[i][j] {
				t.Errorf("row %d col %d = %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}

// TestLocaleWriter: Indonesian spreadsheets get ';' between fields and
// decimal commas; figures (negative ones too) stay figures, formulas are
// still defused.
func TestLocaleWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewLocaleWriter(&b, ';', true)
	if err := w.Write([]string{"Foto", "0.0235", "-0.45", "1234", "=1+1", "-0,5", "Kota; Salatiga", "+62 812"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := "Foto;0,0235;-0,45;1234;'=1+1;-0,5;\"Kota; Salatiga\";'+62 812\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	if !Risky("@SUM(A1)") || Risky("KPU") || Risky("12") {
		t.Error("Risky")
	}
}

// oldWrite is how the writer wrote a record through encoding/csv: the
// reference TestWriterMatchesEncodingCSV holds it to.
func oldWrite(cw *csv.Writer, decimalComma bool, record []string) error {
	var out []string
	for _, c := range record {
		if decimalComma {
			if IsNumber(c) {
				out = append(out, strings.Replace(c, ".", ",", 1))
				continue
			}
			if strings.Contains(c, ",") && IsNumber(strings.Replace(c, ",", ".", 1)) {
				out = append(out, c)
				continue
			}
		}
		out = append(out, Safe(c))
	}
	return cw.Write(out)
}

// TestWriterMatchesEncodingCSV: random records of awkward cells (quotes,
// separators, line breaks, leading spaces and formula characters,
// numbers, multi-byte runes, \.) come out byte for byte as encoding/csv
// writes the Safe cells, with ',' and with ';' and decimal commas.
func TestWriterMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", "Kota", " ", "\t", "\r", "\n", "\r\n", `"`, ",", ";", "=", "+", "-", "@", "'", ".", "0",
		"12", "-0.5", "1e-05", "3,5", `\.`, "é", "\u00a0", "\u2028", "#tag", "x y"}
	rng := rand.New(rand.NewPCG(20, 12))
	for _, loc := range []struct {
		comma rune
		dec   bool
	}{{',', false}, {';', true}, {';', false}, {'\t', false}} {
		var got, want bytes.Buffer
		w := NewLocaleWriter(&got, loc.comma, loc.dec)
		cw := csv.NewWriter(&want)
		cw.Comma = loc.comma
		for range 3000 {
			rec := make([]string, 1+rng.IntN(6))
			for i := range rec {
				var b strings.Builder
				for range rng.IntN(4) {
					b.WriteString(pieces[rng.IntN(len(pieces))])
				}
				rec[i] = b.String()
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := oldWrite(cw, loc.dec, rec); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		cw.Flush()
		if w.Error() != nil || cw.Error() != nil {
			t.Fatal(w.Error(), cw.Error())
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, wn := got.String(), want.String()
			i := 0
			for i < len(g) && i < len(wn) && g[i] == wn[i] {
				i++
			}
			t.Fatalf("comma %q: output differs from encoding/csv at byte %d: got %q, want %q", loc.comma, i,
				g[max(0, i-40):min(len(g), i+40)], wn[max(0, i-40):min(len(wn), i+40)])
		}
	}
}

// BenchmarkWriter100kRows: a year of follower counts (100,000 rows of six
// cells) in Bahasa Indonesia.
func BenchmarkWriter100kRows(b *testing.B) {
	row := []string{"1234", "Humas Kota Salatiga", "instagram", "2026-03-01", "15234", "-12"}
	for range b.N {
		w := NewLocaleWriter(bufio.NewWriterSize(io.Discard, 64<<10), ';', true)
		for range 100_000 {
			if err := w.Write(row); err != nil {
				b.Fatal(err)
			}
		}
		w.Flush()
	}
}
