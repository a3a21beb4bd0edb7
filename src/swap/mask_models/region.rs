//! The face-parsing classes a region model tells apart ([`FaceRegion`]): their class indices,
//! names, and the default set Face Swap replaces.

/// The 19 face-parsing classes of CelebAMask-HQ, in class-index order (BiSeNet's output
/// channels; "left" is image left). FaceFusion's region names for the ten it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaceRegion {
    Background,
    Skin,
    LeftEyebrow,
    RightEyebrow,
    LeftEye,
    RightEye,
    Glasses,
    LeftEar,
    RightEar,
    Earring,
    Nose,
    Mouth,
    UpperLip,
    LowerLip,
    Neck,
    Necklace,
    Cloth,
    Hair,
    Hat,
}

impl FaceRegion {
    /// Every class, indexed by its class number.
    #[rustfmt::skip]
    pub const ALL: [FaceRegion; 19] = {
        use FaceRegion::*;
        [
            Background, Skin, LeftEyebrow, RightEyebrow, LeftEye, RightEye, Glasses, LeftEar,
            RightEar, Earring, Nose, Mouth, UpperLip, LowerLip, Neck, Necklace, Cloth, Hair, Hat,
        ]
    };

    /// The regions replaced by default: the face proper (FaceFusion's full region list), not
    /// ears, hair, neck, clothes or accessories other than glasses.
    #[rustfmt::skip]
    pub const DEFAULT: [FaceRegion; 10] = {
        use FaceRegion::*;
        [
            Skin, LeftEyebrow, RightEyebrow, LeftEye, RightEye, Glasses, Nose, Mouth, UpperLip,
            LowerLip,
        ]
    };

    /// The class index in the model's output.
    pub fn class(self) -> usize {
        self as usize
    }

    pub fn from_class(class: usize) -> Option<FaceRegion> {
        Self::ALL.get(class).copied()
    }

    /// A short name (FaceFusion's, for the regions it offers).
    pub fn name(self) -> &'static str {
        #[rustfmt::skip]
        const NAMES: [&str; 19] = [
            "background", "skin", "left-eyebrow", "right-eyebrow", "left-eye", "right-eye",
            "glasses", "left-ear", "right-ear", "earring", "nose", "mouth", "upper-lip",
            "lower-lip", "neck", "necklace", "cloth", "hair", "hat",
        ];
        NAMES[self.class()]
    }
}
