package csvsafe

import (
	"bytes"
	"encoding/csv"
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
