package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeELF is the smallest x86-64 executable header debug/elf reads; with
// dynamic it names an interpreter, as a cgo binary does.
func fakeELF(t *testing.T, dynamic bool) []byte {
	var buf bytes.Buffer
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Ehsize: 64, Phentsize: 56, Shentsize: 64,
	}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	if dynamic {
		h.Phoff, h.Phnum = 64, 1
	}
	require.NoError(t, binary.Write(&buf, binary.LittleEndian, h))
	if dynamic {
		require.NoError(t, binary.Write(&buf, binary.LittleEndian, elf.Prog64{Type: uint32(elf.PT_INTERP)}))
	}
	return buf.Bytes()
}

// koLike is what ko makes of one command: the base, and a layer holding
// /ko-app/NAME, which is the entrypoint.
func koLike(t *testing.T, base v1.Image, bin string, body []byte) v1.Image {
	l, err := layerOf([]entry{
		{path: "ko-app", dir: true, mode: 0o755},
		{path: "ko-app/" + bin, mode: 0o555, body: body},
	}, time.Unix(0, 0))
	require.NoError(t, err)
	img, err := mutate.AppendLayers(base, l)
	require.NoError(t, err)
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	cf = cf.DeepCopy()
	cf.Config.Entrypoint = []string{"/ko-app/" + bin}
	img, err = mutate.ConfigFile(img, cf)
	require.NoError(t, err)
	return img
}

// goodImage is what tools/image build makes, with fake binaries.
func goodImage(t *testing.T, base v1.Image, serverBody []byte) v1.Image {
	img, err := finish(koLike(t, base, "whisperd", serverBody), koLike(t, base, "whisperctl", fakeELF(t, false)), labels("v1.0.0", "abc"))
	require.NoError(t, err)
	return img
}

func withConfig(t *testing.T, img v1.Image, change func(*v1.Config)) v1.Image {
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	cf = cf.DeepCopy()
	change(&cf.Config)
	img, err = mutate.ConfigFile(img, cf)
	require.NoError(t, err)
	return img
}

func withFiles(t *testing.T, img v1.Image, entries ...entry) v1.Image {
	l, err := layerOf(entries, time.Unix(0, 0))
	require.NoError(t, err)
	img, err = mutate.AppendLayers(img, l)
	require.NoError(t, err)
	return img
}

func TestCheck(t *testing.T) {
	base, err := standInBase(v1.Platform{OS: "linux", Architecture: "amd64"})
	require.NoError(t, err)
	good := goodImage(t, base, fakeELF(t, false))

	f, err := inspect(good)
	require.NoError(t, err)
	assert.Empty(t, f.problems, "the image tools/image builds passes")
	assert.Len(t, f.binaries, 2)

	for name, tc := range map[string]struct {
		img  v1.Image
		want string
	}{
		"no user": {withConfig(t, good, func(c *v1.Config) { c.User = "" }), "runs as root"},
		"UID 0":   {withConfig(t, good, func(c *v1.Config) { c.User = "0:65532" }), "runs as root"},
		"root by name": {withConfig(t, good, func(c *v1.Config) { c.User = "root" }),
			`User "root" is not a numeric UID`},
		"another entrypoint": {withConfig(t, good, func(c *v1.Config) { c.Entrypoint = []string{"/ko-app/whisperctl"} }),
			"not whisperd alone"},
		"home as working directory": {withConfig(t, good, func(c *v1.Config) { c.WorkingDir = "/home/nonroot" }),
			`the working directory is "/home/nonroot"`},
		"no volume": {withConfig(t, good, func(c *v1.Config) { c.Volumes = nil }), "/data is not a volume"},
		"a shell": {withFiles(t, good, entry{path: "bin", dir: true, mode: 0o755}, entry{path: "bin/sh", mode: 0o755, body: []byte("x")}),
			"holds a shell: /bin/sh"},
		"busybox, deleted later": {withFiles(t, withFiles(t, good, entry{path: "busybox", mode: 0o755}), entry{path: ".wh.busybox", mode: 0o644}),
			"holds a shell: /busybox"},
		"/data owned by root": {withFiles(t, good, entry{path: "data", dir: true, mode: 0o750}),
			"/data is owned by UID 0"},
		"/data open to all": {withFiles(t, good, entry{path: "data", dir: true, mode: 0o777, uid: 65532}),
			"/data has mode 0777"},
		"whisperctl not executable": {withFiles(t, good, entry{path: "ko-app/whisperctl", mode: 0o644, uid: 0, body: fakeELF(t, false)}),
			"/ko-app/whisperctl (mode 0644, owner 0) is not executable"},
		"whisperctl missing": {withFiles(t, good, entry{path: "ko-app/.wh.whisperctl", mode: 0o644}),
			"whisperctl is not in the image"},
		"dynamic whisperd":       {goodImage(t, base, fakeELF(t, true)), "whisperd: dynamically linked"},
		"whisperd not a program": {goodImage(t, base, []byte("#!/bin/sh\n")), "whisperd: not an ELF executable"},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := inspect(tc.img)
			require.NoError(t, err)
			require.NotEmpty(t, f.problems, "the check must fail")
			assert.Contains(t, f.problems[0], tc.want, "all problems: %q", f.problems)
		})
	}
}
