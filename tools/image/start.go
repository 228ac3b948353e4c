package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// startInImage runs whisperd as a container would, without a container
// engine: chrooted into the image's files, as the image's user, in its
// working directory, with its environment. It proves that the embedded
// store and its key file can be created in /data, that whisperd becomes
// ready, and that whisperctl beside it can back the store up. It needs
// root, for chroot and to hand the files their owners.
func startInImage(ctx context.Context, img v1.Image) (err error) {
	if os.Geteuid() != 0 {
		return errors.New("-start needs root (chroot)")
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	uid, err := strconv.Atoi(strings.SplitN(cf.Config.User, ":", 2)[0])
	if err != nil {
		return fmt.Errorf("user %q: %w", cf.Config.User, err)
	}
	root, err := os.MkdirTemp("", "whisper-image-root-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	// The container's / is everyone's to look into; MkdirTemp's is not.
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	if err := unpack(mutate.Extract(img), root); err != nil {
		return fmt.Errorf("unpacking the image: %w", err)
	}

	// A free port on loopback: the container's 0.0.0.0:8080 is this
	// machine's, and may be taken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()

	inImage := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir = cf.Config.WorkingDir
		cmd.Env = append(append([]string{}, cf.Config.Env...), "WHISPER_LISTEN="+addr)
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Chroot:     root,
			Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)},
		}
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd
	}
	server := inImage(cf.Config.Entrypoint...)
	// whisperd's log is shown only when something went wrong; it is read
	// once whisperd has exited.
	var serverLog bytes.Buffer
	server.Stdout, server.Stderr = &serverLog, &serverLog
	if err := server.Start(); err != nil {
		return fmt.Errorf("starting whisperd in the image: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- server.Wait() }()
	defer func() {
		_ = server.Process.Signal(syscall.SIGTERM)
		<-exited
		if err != nil {
			fmt.Fprintf(os.Stderr, "whisperd's log:\n%s", serverLog.Bytes())
		}
	}()

	// Readiness is waited for, not timed: a slow machine only waits longer,
	// up to a generous bound.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("whisperd exited before it was ready: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("whisperd in the image was not ready within 2 minutes")
		}
	}
	fmt.Printf("image check: whisperd started in the image as UID %d in %s and is ready\n", uid, cf.Config.WorkingDir)

	ctl := path.Join(path.Dir(cf.Config.Entrypoint[0]), "whisperctl")
	if err := inImage(ctl, "backup", "--out", "backup.db").Run(); err != nil {
		return fmt.Errorf("whisperctl backup in the image: %w", err)
	}
	for _, name := range []string{"whisper.db", "whisper.db.key", "backup.db"} {
		p := filepath.Join(root, cf.Config.WorkingDir, name)
		info, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("%s was not written in the working directory: %w", name, err)
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
			return fmt.Errorf("%s is owned by UID %d, not %d", name, st.Uid, uid)
		}
	}
	fmt.Printf("image check: the embedded store, its key file and a whisperctl backup were written to %s\n", cf.Config.WorkingDir)
	return nil
}

// unpack writes a flattened image's files under root, with their owners
// and modes. Devices and other special files are left out: no image of
// ours has them.
func unpack(rc io.ReadCloser, root string) error {
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean("/" + h.Name)
		p := filepath.Join(root, name)
		mode := os.FileMode(h.Mode & 0o777)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
			return err
		}
		// After chown, which clears set-ID bits; sticky and set-ID kept.
		if h.Mode&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
	}
}
