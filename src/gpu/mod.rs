//! The process-wide GPU context: one wgpu device, created lazily on the first render that asks
//! for it (never at host scan time), shared by every instance and effect, with its compute
//! pipelines built once and its frame-sized buffers reused.
//!
//! Every GPU step has a CPU twin that is the fallback (no adapter, or the user chose the CPU)
//! and the test oracle: the two agree within 1e-4 (see each pipeline file for its own bound).
//! Frames live in storage buffers of `vec4<f32>` (row-major, top row first), so sampling is
//! the shaders' own arithmetic, not the texture unit's reduced-precision filtering.
//!
//! Shaders: each `shaders/NAME.wgsl` has its pipeline file `src/gpu/NAME.rs`. WGSL has no
//! `#include`, so arithmetic several shaders share lives once in `shaders/lib/*.wgsl` (sRGB and
//! CIELAB, double-f32 sums and products, straight-edge coverage): a shader names the libraries
//! it needs in a header line `// uses: lib/a.wgsl, lib/b.wgsl`, and its pipeline file builds
//! `pub(crate) const SOURCE` as `concat!` of those files' `include_str!` and then its own.
//! `tests::every_shader_validates_with_naga` checks each `SOURCE` is exactly that composition
//! and validates it with naga; a library is never compiled on its own.

pub mod blend;
pub(crate) mod blend_masks;
pub mod blur;
pub mod boost;
pub mod buffers;
pub mod colour_apply;
pub mod colour_convert;
pub mod colour_stats;
pub mod composite;
pub mod face_outline;
pub mod kernel;
pub mod mask_box;
pub mod mask_shapes;
pub mod morphology;
pub mod multigrid;
pub mod ops;
pub mod poisson;
pub mod quantiles;
pub mod reduce;
pub mod region;
pub mod tensor;
pub mod warp;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_blend;
#[cfg(test)]
mod tests_colour;
#[cfg(test)]
mod tests_crop;
#[cfg(test)]
mod tests_mask;
#[cfg(test)]
mod tests_ops;
#[cfg(test)]
mod tests_poisson;

use std::sync::OnceLock;

pub use buffers::{read_back, BufferPool, GpuFrame, GpuPlane};
pub use kernel::{Kernel, Uniforms};

/// Why there is no GPU path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuUnavailable(pub String);

impl std::fmt::Display for GpuUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The device, its queue, and what is built on it once.
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// "name (backend, device type)", for logs and benchmark reports.
    pub adapter: String,
    pub buffers: BufferPool,
    pub(crate) kernels: kernel::KernelCache,
}

/// Set `DOPPEL_GPU=off` to keep every step on the CPU (for comparisons, or a broken driver).
pub const DISABLE_ENV: &str = "DOPPEL_GPU";

/// The shared GPU context, created on first use; `None` (with one log line saying why) when
/// the machine has no usable adapter, in which case callers take the CPU path.
pub fn context() -> Option<&'static Gpu> {
    static GPU: OnceLock<Result<Gpu, GpuUnavailable>> = OnceLock::new();
    GPU.get_or_init(|| {
        let gpu = create();
        match &gpu {
            Ok(g) => log::info!("GPU path on {}", g.adapter),
            // Asked for: not news. Otherwise the user expected the GPU and should know why not.
            Err(e) if e.0.starts_with(DISABLE_ENV) => {
                log::info!("no GPU path ({e}); every step runs on the CPU")
            }
            Err(e) => log::warn!("no GPU path ({e}); every step runs on the CPU"),
        }
        gpu
    })
    .as_ref()
    .ok()
}

fn create() -> Result<Gpu, GpuUnavailable> {
    if std::env::var(DISABLE_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return Err(GpuUnavailable(format!("{DISABLE_ENV}=off")));
    }
    let options = |fallback| wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: fallback,
        compatible_surface: None,
        apply_limit_buckets: false,
    };
    // Vulkan / Metal / DX12 first, GL only where none of those has an adapter: probing GL on a
    // machine without a GL driver logs an EGL error, which users would take for a failure.
    // A real adapter first; a software one (lavapipe) is better than none for correctness.
    let adapter = [wgpu::Backends::PRIMARY, wgpu::Backends::GL]
        .into_iter()
        .find_map(|backends| {
            let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
                backends,
                ..wgpu::InstanceDescriptor::new_without_display_handle()
            });
            pollster::block_on(instance.request_adapter(&options(false)))
                .or_else(|_| pollster::block_on(instance.request_adapter(&options(true))))
                .ok()
        })
        .ok_or_else(|| GpuUnavailable("no adapter (Vulkan, Metal, DX12 or GL)".into()))?;
    let info = adapter.get_info();
    let limits = adapter.limits();
    // Frames are single storage buffers: ask for as much as the adapter allows (4K RGBA f32
    // is 133 MB, just over the default binding limit of 128 MiB).
    let required_limits = wgpu::Limits {
        max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
        max_buffer_size: limits.max_buffer_size,
        max_storage_buffers_per_shader_stage: limits.max_storage_buffers_per_shader_stage.min(8),
        ..wgpu::Limits::downlevel_defaults()
    };
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("doppel"),
        required_limits,
        ..Default::default()
    }))
    .map_err(|e| GpuUnavailable(format!("{}: {e}", info.name)))?;
    Ok(Gpu {
        adapter: format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type),
        buffers: BufferPool::default(),
        kernels: kernel::KernelCache::default(),
        device,
        queue,
    })
}

impl Gpu {
    /// Waits for all submitted work (readbacks call this).
    pub fn wait(&self) {
        if let Err(e) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            log::warn!("GPU wait: {e}");
        }
    }
}
