//! Frames on the GPU (storage buffers of `vec4<f32>`), uploads and readbacks, and the pool that
//! lets frame-sized buffers be reused from render to render (reallocated only when a size is
//! new).

use parking_lot::Mutex;

use super::Gpu;
use crate::Frame;

/// Usage of frame buffers: read and written by shaders, copied to and from.
const FRAME_USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_DST)
    .union(wgpu::BufferUsages::COPY_SRC);
const READBACK_USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::MAP_READ.union(wgpu::BufferUsages::COPY_DST);

/// Idle buffers kept for reuse, at most this many bytes (the rest are freed).
const POOL_BYTES: u64 = 1 << 30;

/// Buffers free for reuse, by size and usage.
///
/// A buffer dropped while recording may still be read by commands of an encoder not yet
/// submitted; reused at once, a `queue.write_buffer` into it (which runs before that submit's
/// commands) would overwrite what they read. So returns wait on their thread until its next
/// [`Gpu::submit`] ([`BufferPool::release_pending`]); after that, anything written to the buffer is
/// ordered after the work that read it. Rule that makes this sound: a thread records and
/// submits one encoder at a time (every GPU function here does).
#[derive(Default)]
pub struct BufferPool {
    idle: Mutex<Vec<wgpu::Buffer>>,
}

thread_local! {
    /// Buffers this thread returned since its last submit.
    static PENDING: std::cell::RefCell<Vec<wgpu::Buffer>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl BufferPool {
    fn take(&self, gpu: &Gpu, size: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        let mut idle = self.idle.lock();
        if let Some(i) = idle
            .iter()
            .position(|b| b.size() == size && b.usage() == usage)
        {
            return idle.swap_remove(i);
        }
        drop(idle);
        gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("doppel frame"),
            size,
            usage,
            mapped_at_creation: false,
        })
    }

    fn give(&self, buffer: wgpu::Buffer) {
        PENDING.with(|p| p.borrow_mut().push(buffer));
    }

    /// Makes the buffers this thread returned reusable: call right after submitting. Returns
    /// the buffers freed to stay within the pool's budget (bind groups holding them go too).
    pub(crate) fn release_pending(&self) -> Vec<wgpu::Buffer> {
        let returned = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        let mut freed = Vec::new();
        if returned.is_empty() {
            return freed;
        }
        let mut idle = self.idle.lock();
        idle.extend(returned);
        // Oldest first out when over budget.
        while idle.iter().map(wgpu::Buffer::size).sum::<u64>() > POOL_BYTES && !idle.is_empty() {
            freed.push(idle.remove(0));
        }
        freed
    }

    /// Idle buffers (for tests of reuse).
    pub fn idle_count(&self) -> usize {
        self.idle.lock().len()
    }
}

/// A `width × height` RGBA float frame (or any array of `vec4<f32>`) on the GPU; its buffer
/// goes back to the pool when dropped.
pub struct GpuFrame<'g> {
    gpu: &'g Gpu,
    buffer: Option<wgpu::Buffer>,
    pub width: usize,
    pub height: usize,
}

impl<'g> GpuFrame<'g> {
    /// An uninitialised frame (every kernel writing it covers all of it).
    pub fn new(gpu: &'g Gpu, width: usize, height: usize) -> Self {
        let size = (width * height).max(1) as u64 * 16;
        GpuFrame {
            gpu,
            buffer: Some(gpu.buffers.take(gpu, size, FRAME_USAGE)),
            width,
            height,
        }
    }

    /// `frame`'s pixels on the GPU.
    pub fn upload(gpu: &'g Gpu, frame: &Frame) -> Self {
        let out = Self::new(gpu, frame.width(), frame.height());
        if !frame.pixels().is_empty() {
            let bytes: &[u8] = bytemuck::cast_slice(frame.pixels());
            gpu.queue.write_buffer(out.buffer(), 0, bytes);
        }
        out
    }

    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("present until dropped")
    }

    /// Waits for the work queued so far and copies the frame back.
    pub fn download(&self) -> Frame {
        let bytes = read_back(self.gpu, self.buffer());
        // A copy, not a cast: the bytes need not be aligned for floats.
        let mut pixels: Vec<[f32; 4]> = bytemuck::pod_collect_to_vec(&bytes);
        pixels.truncate(self.width * self.height);
        Frame::from_pixels(self.width, self.height, pixels).expect("width × height pixels")
    }
}

impl Drop for GpuFrame<'_> {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            self.gpu.buffers.give(buffer);
        }
    }
}

/// A `width × height` plane of `f32` (masks, weights, single channels) on the GPU; pooled like
/// [`GpuFrame`].
pub struct GpuPlane<'g> {
    gpu: &'g Gpu,
    buffer: Option<wgpu::Buffer>,
    pub width: usize,
    pub height: usize,
}

impl<'g> GpuPlane<'g> {
    /// An uninitialised plane (every kernel writing it covers all of it).
    pub fn new(gpu: &'g Gpu, width: usize, height: usize) -> Self {
        // Padded to 16 bytes so planes and frames share pooled buffers of equal size classes.
        let size = ((width * height).max(1) as u64 * 4).div_ceil(16) * 16;
        GpuPlane {
            gpu,
            buffer: Some(gpu.buffers.take(gpu, size, FRAME_USAGE)),
            width,
            height,
        }
    }

    /// `values` (row-major, `width × height` of them) on the GPU.
    pub fn upload(gpu: &'g Gpu, width: usize, height: usize, values: &[f32]) -> Self {
        assert_eq!(
            values.len(),
            width * height,
            "a plane of width × height values"
        );
        let out = Self::new(gpu, width, height);
        if !values.is_empty() {
            gpu.queue
                .write_buffer(out.buffer(), 0, bytemuck::cast_slice(values));
        }
        out
    }

    pub fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("present until dropped")
    }

    /// Panics unless `other` has this plane's size (a kernel's input and output planes).
    pub(crate) fn assert_same_size(&self, other: &GpuPlane) {
        assert_eq!(
            (self.width, self.height),
            (other.width, other.height),
            "planes of one size"
        );
    }

    /// Waits for the work queued so far and copies the plane back.
    pub fn download(&self) -> Vec<f32> {
        let bytes = read_back(self.gpu, self.buffer());
        let mut values: Vec<f32> = bytemuck::pod_collect_to_vec(&bytes);
        values.truncate(self.width * self.height);
        values
    }
}

impl Drop for GpuPlane<'_> {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            self.gpu.buffers.give(buffer);
        }
    }
}

/// Copies a whole buffer back to the CPU, waiting for the work queued so far.
pub fn read_back(gpu: &Gpu, buffer: &wgpu::Buffer) -> Vec<u8> {
    let size = buffer.size();
    let staging = gpu.buffers.take(gpu, size, READBACK_USAGE);
    let mut encoder = gpu.encoder();
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
    gpu.submit(encoder);
    staging.map_async(wgpu::MapMode::Read, .., |r| {
        if let Err(e) = r {
            log::error!("GPU readback failed: {e}");
        }
    });
    gpu.wait();
    let bytes = staging
        .get_mapped_range(..)
        .expect("the staging buffer was just mapped")
        .to_vec();
    staging.unmap();
    gpu.buffers.give(staging);
    bytes
}
