package org_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store/storetest"
)

func encode(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x), G: uint8(y), B: 90, A: 255})
		}
	}
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLetterhead(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	s := org.NewStore(db, testKey)
	u, err := s.CreateUnit(ctx, org.Unit{Name: "KPU Provinsi Jawa Tengah", Slug: "kpu-jateng", Level: "province"})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := s.Letterhead(ctx, u.ID)
	if err != nil || empty.Address != "" || empty.LogoType != "" {
		t.Fatalf("new unit's letterhead %+v, %v", empty, err)
	}
	lh, err := s.SetLetterhead(ctx, u.ID, org.Letterhead{Address: "Jl. Veteran No. 1A\r\nSemarang 50231", Contact: " Telp.  (024) 8311195 ",
		City: "Semarang", HeadTitle: "Kepala Divisi Sosialisasi", HeadName: "Dra. Siti Rahmawati", HeadID: "197001011995032001"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if lh.Address != "Jl. Veteran No. 1A\nSemarang 50231" || lh.Contact != "Telp. (024) 8311195" || lh.HeadName != "Dra. Siti Rahmawati" {
		t.Errorf("stored %+v", lh)
	}
	// Field limits, named.
	_, err = s.SetLetterhead(ctx, u.ID, org.Letterhead{Address: strings.Repeat("a", org.MaxAddressLen+1), HeadName: "x\x00y"}, 0)
	var ve org.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "address") || !strings.Contains(err.Error(), "head_name") {
		t.Errorf("oversized address and a control character: %v", err)
	}
	if _, err := s.SetLetterhead(ctx, 9999, org.Letterhead{}, 0); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("unknown unit: %v", err)
	}

	// The logo: PNG stored privately beside the database, then a JPEG
	// replaces it (the PNG file goes).
	logo := encode(t, "png", 120, 80)
	lh, err = s.SetLogo(ctx, u.ID, logo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if lh.LogoType != "png" || len(lh.LogoSHA256) != 64 || lh.Address == "" {
		t.Errorf("after the logo %+v", lh)
	}
	got, typ, err := s.Logo(ctx, u.ID)
	if err != nil || typ != "png" || !bytes.Equal(got, logo) {
		t.Fatalf("logo back: %s %d bytes %v", typ, len(got), err)
	}
	pngPath := filepath.Join(filepath.Dir(db.Path()), "logos", "unit-1.png")
	if info, err := os.Stat(pngPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("logo file %s: %v %v", pngPath, info, err)
	}
	if _, err := s.SetLogo(ctx, u.ID, encode(t, "jpeg", 64, 64), 0); err != nil {
		t.Fatal(err)
	}
	if _, typ, _ := s.Logo(ctx, u.ID); typ != "jpeg" {
		t.Errorf("type after the JPEG: %s", typ)
	}
	if _, err := os.Stat(pngPath); !os.IsNotExist(err) {
		t.Errorf("the replaced PNG is still there: %v", err)
	}

	// Refused: too big, not an image, another format, too many pixels, a
	// PNG header over garbage.
	for _, tc := range []struct {
		what string
		data []byte
		want string
	}{
		{"too big", append(encode(t, "png", 10, 10), make([]byte, org.MaxLogoBytes)...), "at most 512 KiB"},
		{"SVG", []byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"), "PNG or JPEG"},
		{"GIF", encode(t, "gif", 10, 10), "PNG or JPEG"},
		{"too wide", encode(t, "png", 4001, 1), "4001 × 1 pixels; at most 4000"},
		{"PNG header over garbage", append(encode(t, "png", 8, 8)[:40], bytes.Repeat([]byte{1}, 50)...), "cannot be read"},
		{"empty", nil, "choose an image"},
	} {
		_, err := s.SetLogo(ctx, u.ID, tc.data, 0)
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.what, err, tc.want)
		}
	}
	if _, typ, _ := s.Logo(ctx, u.ID); typ != "jpeg" {
		t.Errorf("a refused upload changed the logo: %s", typ)
	}
	other, _ := s.CreateUnit(ctx, org.Unit{Name: "KPU Kota Salatiga", Slug: "kpu-salatiga", ParentID: u.ID})
	if _, _, err := s.Logo(ctx, other.ID); !errors.Is(err, org.ErrNotFound) {
		t.Errorf("a unit without a logo: %v", err)
	}
}
