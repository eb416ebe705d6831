//! directory: the index directory as the read side opens it. tantivy's
//! reader takes its meta lock (a file it creates) while it opens segments, so
//! that a writer's garbage collection cannot delete them meanwhile. On a
//! read-only index there is no file to create, and no writer can delete
//! anything there either, so where the file system refuses the lock the read
//! goes on without it: a read-only index can be queried.

use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// An [`MmapDirectory`] whose meta lock is skipped when it cannot be created.
#[derive(Clone, Debug)]
pub(crate) struct ReadDirectory(MmapDirectory);

impl ReadDirectory {
    pub(crate) fn open(dir: &Path) -> Result<ReadDirectory, OpenDirectoryError> {
        MmapDirectory::open(dir).map(ReadDirectory)
    }
}

impl Directory for ReadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(io))
                if lock.filepath == META_LOCK.filepath
                    && matches!(
                        io.kind(),
                        ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied
                    ) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }
}

/// A directory where one read of its fast-field files (columns and their
/// term dictionaries), the `n`th, fails: a bad sector met by a running
/// query, for tests of what a query then says.
#[cfg(test)]
pub(crate) mod failing {
    use std::ops::Range;
    use std::sync::atomic::{AtomicI64, Ordering};

    use tantivy::HasLen;
    use tantivy::directory::OwnedBytes;

    use super::*;

    #[derive(Clone, Debug)]
    pub(crate) struct FailingDirectory {
        inner: MmapDirectory,
        /// Reads left before the one that fails.
        budget: Arc<AtomicI64>,
    }

    impl FailingDirectory {
        /// `dir`, whose `.fast` files fail their read number `n` (from 0).
        pub(crate) fn open(dir: &Path, n: i64) -> FailingDirectory {
            FailingDirectory {
                inner: MmapDirectory::open(dir).expect("index directory"),
                budget: Arc::new(AtomicI64::new(n)),
            }
        }

        /// Whether the read meant to fail happened.
        pub(crate) fn failed(&self) -> bool {
            self.budget.load(Ordering::SeqCst) < 0
        }
    }

    #[derive(Debug)]
    struct FailingHandle {
        inner: Arc<dyn FileHandle>,
        budget: Arc<AtomicI64>,
    }

    impl HasLen for FailingHandle {
        fn len(&self) -> usize {
            self.inner.len()
        }
    }

    impl FileHandle for FailingHandle {
        fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
            if self.budget.fetch_sub(1, Ordering::SeqCst) == 0 {
                return Err(std::io::Error::other("injected read failure"));
            }
            self.inner.read_bytes(range)
        }
    }

    impl Directory for FailingDirectory {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            let inner = self.inner.get_file_handle(path)?;
            if path.extension().is_some_and(|e| e == "fast") {
                return Ok(Arc::new(FailingHandle {
                    inner,
                    budget: self.budget.clone(),
                }));
            }
            Ok(inner)
        }

        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.inner.delete(path)
        }

        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.inner.exists(path)
        }

        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            self.inner.open_write(path)
        }

        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.inner.atomic_read(path)
        }

        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            self.inner.atomic_write(path, data)
        }

        fn sync_directory(&self) -> std::io::Result<()> {
            self.inner.sync_directory()
        }

        fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
            self.inner.acquire_lock(lock)
        }

        fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.inner.watch(watch_callback)
        }
    }
}
