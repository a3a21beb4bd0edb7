/* A small OFX plugin for the host's own tests: it renders Output = Source x gain, and its integer
 * parameter "mode" makes Render misbehave in one chosen way, so that each host check can be seen
 * to fire. Written against the OFX ABI by hand (no SDK headers), handles as void*.
 */
#include <stdio.h>
#include <string.h>

typedef int OfxStatus;
typedef void *H;
typedef struct { double x1, y1, x2, y2; } OfxRectD;
typedef struct { H host; const void *(*fetchSuite)(H host, const char *name, int version); } OfxHost;
typedef struct {
    const char *pluginApi; int apiVersion; const char *pluginIdentifier;
    unsigned int major, minor; void (*setHost)(OfxHost *); OfxStatus (*mainEntry)(const char *, const void *, H, H);
} OfxPlugin;
typedef struct {
    OfxStatus (*setPointer)(H, const char *, int, void *);
    OfxStatus (*setString)(H, const char *, int, const char *);
    OfxStatus (*setDouble)(H, const char *, int, double);
    OfxStatus (*setInt)(H, const char *, int, int);
    OfxStatus (*setPointerN)(H, const char *, int, void *const *);
    OfxStatus (*setStringN)(H, const char *, int, const char *const *);
    OfxStatus (*setDoubleN)(H, const char *, int, const double *);
    OfxStatus (*setIntN)(H, const char *, int, const int *);
    OfxStatus (*getPointer)(H, const char *, int, void **);
    OfxStatus (*getString)(H, const char *, int, char **);
    OfxStatus (*getDouble)(H, const char *, int, double *);
    OfxStatus (*getInt)(H, const char *, int, int *);
    OfxStatus (*getPointerN)(H, const char *, int, void **);
    OfxStatus (*getStringN)(H, const char *, int, char **);
    OfxStatus (*getDoubleN)(H, const char *, int, double *);
    OfxStatus (*getIntN)(H, const char *, int, int *);
    OfxStatus (*reset)(H, const char *);
    OfxStatus (*getDimension)(H, const char *, int *);
} PropSuite;
typedef struct {
    OfxStatus (*getPropertySet)(H, H *);
    OfxStatus (*getParamSet)(H, H *);
    OfxStatus (*clipDefine)(H, const char *, H *);
    OfxStatus (*clipGetHandle)(H, const char *, H *, H *);
    OfxStatus (*clipGetPropertySet)(H, H *);
    OfxStatus (*clipGetImage)(H, double, const OfxRectD *, H *);
    OfxStatus (*clipReleaseImage)(H);
    void *rest[6];
} EffectSuite;
typedef struct {
    OfxStatus (*paramDefine)(H, const char *, const char *, H *);
    OfxStatus (*paramGetHandle)(H, const char *, H *, H *);
    OfxStatus (*paramSetGetPropertySet)(H, H *);
    OfxStatus (*paramGetPropertySet)(H, H *);
    OfxStatus (*paramGetValue)(H, ...);
    OfxStatus (*paramGetValueAtTime)(H, double, ...);
    OfxStatus (*paramGetDerivative)(H, double, ...);
    OfxStatus (*paramGetIntegral)(H, double, double, ...);
    OfxStatus (*paramSetValue)(H, ...);
    OfxStatus (*paramSetValueAtTime)(H, double, ...);
    void *rest[8];
} ParamSuite;
typedef struct {
    OfxStatus (*message)(H, const char *, const char *, const char *, ...);
    OfxStatus (*setPersistentMessage)(H, const char *, const char *, const char *, ...);
    OfxStatus (*clearPersistentMessage)(H);
} MessageSuite;

static OfxHost *host;
static const PropSuite *P;
static const EffectSuite *E;
static const ParamSuite *R;
static const MessageSuite *M1, *M2;

static H props_of(H effect) { H p = 0; E->getPropertySet(effect, &p); return p; }
static H param(H effect, const char *name) {
    H set = 0, p = 0;
    E->getParamSet(effect, &set);
    R->paramGetHandle(set, name, &p, 0);
    return p;
}

static void define_param(H set, const char *type, const char *name, H *props) {
    R->paramDefine(set, type, name, props);
    P->setString(*props, "OfxPropLabel", 0, name);
}

static OfxStatus describe_in_context(H effect) {
    H clip = 0, set = 0, p = 0;
    E->clipDefine(effect, "Source", &clip);
    P->setString(clip, "OfxImageEffectPropSupportedComponents", 0, "OfxImageComponentRGBA");
    P->setInt(clip, "OfxImageEffectPropTemporalClipAccess", 0, 1);
    E->clipDefine(effect, "Aux", &clip);
    P->setString(clip, "OfxImageEffectPropSupportedComponents", 0, "OfxImageComponentRGBA");
    P->setInt(clip, "OfxImageClipPropOptional", 0, 1);
    E->clipDefine(effect, "Output", &clip);
    P->setString(clip, "OfxImageEffectPropSupportedComponents", 0, "OfxImageComponentRGBA");
    E->getParamSet(effect, &set);
    define_param(set, "OfxParamTypeInteger", "mode", &p);
    P->setInt(p, "OfxParamPropMin", 0, 0);
    P->setInt(p, "OfxParamPropMax", 0, 100);
    P->setInt(p, "OfxParamPropDisplayMin", 0, 0);
    P->setInt(p, "OfxParamPropDisplayMax", 0, 100);
    define_param(set, "OfxParamTypeDouble", "gain", &p);
    P->setDouble(p, "OfxParamPropDefault", 0, 1.0);
    P->setDouble(p, "OfxParamPropMin", 0, 0.0);
    P->setDouble(p, "OfxParamPropMax", 0, 10.0);
    P->setDouble(p, "OfxParamPropDisplayMin", 0, 0.0);
    P->setDouble(p, "OfxParamPropDisplayMax", 0, 4.0);
    define_param(set, "OfxParamTypeDouble", "unranged", &p);
    P->setDouble(p, "OfxParamPropDefault", 0, 5.0);
    define_param(set, "OfxParamTypeDouble2D", "centre", &p);
    P->setString(p, "OfxParamPropDoubleType", 0, "OfxParamDoubleTypeXYAbsolute");
    P->setString(p, "OfxParamPropDefaultCoordinateSystem", 0, "OfxParamCoordinatesNormalised");
    P->setDouble(p, "OfxParamPropDefault", 0, 0.5);
    P->setDouble(p, "OfxParamPropDefault", 1, 0.25);
    define_param(set, "OfxParamTypeDouble2D", "corner", &p);
    P->setString(p, "OfxParamPropDoubleType", 0, "OfxParamDoubleTypeXY");
    P->setDouble(p, "OfxParamPropDefault", 0, 0.5);
    P->setDouble(p, "OfxParamPropDefault", 1, 0.5);
    define_param(set, "OfxParamTypeString", "label", &p);
    P->setString(p, "OfxParamPropDefault", 0, "start");
    define_param(set, "OfxParamTypeBoolean", "flag", &p);
    return 0;
}

static OfxStatus describe(H effect) {
    H p = props_of(effect);
    P->setString(p, "OfxPropLabel", 0, "Probe");
    P->setString(p, "OfxImageEffectPropSupportedContexts", 0, "OfxImageEffectContextFilter");
    P->setString(p, "OfxImageEffectPropSupportedPixelDepths", 0, "OfxBitDepthFloat");
    P->setInt(p, "OfxImageEffectPropTemporalClipAccess", 0, 1);
    P->setInt(p, "OfxImageEffectPropSupportsTiles", 0, 0);
    P->setString(p, "OfxImageEffectPluginRenderThreadSafety", 0, "OfxImageEffectRenderFullySafe");
    return 0;
}

static OfxStatus frames_needed(H in, H out) {
    double t = 0, r[2];
    P->getDouble(in, "OfxPropTime", 0, &t);
    r[0] = t - 1;
    r[1] = t + 1;
    return P->setDoubleN(out, "OfxImageClipPropFrameRange_Source", 2, r);
}

static OfxStatus instance_changed(H effect, H in) {
    char *name = 0, *reason = 0;
    P->getString(in, "OfxPropName", 0, &name);
    P->getString(in, "OfxPropChangeReason", 0, &reason);
    if (name && strcmp(name, "flag") == 0 && strcmp(reason, "OfxChangeUserEdited") == 0)
        R->paramSetValue(param(effect, "label"), "flagged");
    return 0;
}

static void fail(H effect, const char *text) {
    if (M2 && M2->setPersistentMessage)
        M2->setPersistentMessage(effect, "OfxMessageError", "probe", "%s", text);
    else
        M1->message(effect, "OfxMessageError", "probe", "%s", text);
}

static OfxStatus render(H effect, H in) {
    double t = 0, gain = 1, xy[2];
    int mode = 0, window[4], sb[4], ob[4], srb = 0, orb = 0;
    char *label = 0;
    H src_clip = 0, out_clip = 0, src = 0, out = 0;
    float *sd = 0, *od = 0;
    P->getDouble(in, "OfxPropTime", 0, &t);
    P->getIntN(in, "OfxImageEffectPropRenderWindow", 4, window);
    R->paramGetValueAtTime(param(effect, "mode"), t, &mode);
    R->paramGetValueAtTime(param(effect, "gain"), t, &gain);
    R->paramGetValueAtTime(param(effect, "centre"), t, &xy[0], &xy[1]);
    R->paramGetValueAtTime(param(effect, "label"), t, &label);
    E->clipGetHandle(effect, "Source", &src_clip, 0);
    E->clipGetHandle(effect, "Output", &out_clip, 0);
    if (E->clipGetImage(src_clip, t, 0, &src) != 0) { fail(effect, "no source image"); return 1; }
    if (E->clipGetImage(out_clip, t, 0, &out) != 0) { E->clipReleaseImage(src); return 1; }
    P->getPointer(src, "OfxImagePropData", 0, (void **)&sd);
    P->getPointer(out, "OfxImagePropData", 0, (void **)&od);
    P->getIntN(src, "OfxImagePropBounds", 4, sb);
    P->getIntN(out, "OfxImagePropBounds", 4, ob);
    P->getInt(src, "OfxImagePropRowBytes", 0, &srb);
    P->getInt(out, "OfxImagePropRowBytes", 0, &orb);
    for (int y = window[1]; y < window[3]; ++y)
        for (int x = window[0]; x < window[2]; ++x) {
            float *o = (float *)((char *)od + (long)(y - ob[1]) * orb) + 4 * (x - ob[0]);
            int inside = x >= sb[0] && x < sb[2] && y >= sb[1] && y < sb[3];
            float *s = inside ? (float *)((char *)sd + (long)(y - sb[1]) * srb) + 4 * (x - sb[0]) : 0;
            for (int c = 0; c < 4; ++c) o[c] = s ? (float)(s[c] * (c < 3 ? gain : 1.0)) : 0.0f;
        }
    OfxStatus status = 0;
    H extra = 0;
    double wrong = 0;
    switch (mode) {
    case 1: return 0; /* leaks both images */
    case 2: E->clipReleaseImage(src); break; /* released again below */
    case 3: if (E->clipGetImage(src_clip, t + 5, 0, &extra) == 0) E->clipReleaseImage(extra); break;
    case 4: P->getDouble(src, "OfxImagePropRowBytes", 0, &wrong); break;
    case 5: fail(effect, "probe failed on purpose"); status = 1; break;
    case 6: od[-1] = 1.0f; break;
    case 7: fail(effect, "stale error"); break;
    case 8: R->paramSetValue(param(effect, "gain"), 2.0); break;
    case 9: M1->message(effect, "OfxMessageWarning", "probe", "label %s, mode %d", label, mode); break;
    case 10: if (E->clipGetImage(src_clip, t + 1, 0, &extra) == 0) E->clipReleaseImage(extra); break;
    case 11: {
        H aux_clip = 0;
        E->clipGetHandle(effect, "Aux", &aux_clip, 0);
        status = E->clipGetImage(aux_clip, t, 0, &extra) == 0 ? 0 : 1;
        if (status == 0) E->clipReleaseImage(extra);
        else M1->message(effect, "OfxMessageError", "probe", "Aux gave no image");
        break;
    }
    case 12: { double v = 0; R->paramGetValue(param(effect, "gain"), &v); break; }
    default: break;
    }
    if (status == 0 && mode != 7 && M2 && M2->clearPersistentMessage) M2->clearPersistentMessage(effect);
    E->clipReleaseImage(src);
    E->clipReleaseImage(out);
    return status;
}

static OfxStatus main_entry(const char *action, const void *handle, H in, H out) {
    H effect = (H)handle;
    if (strcmp(action, "OfxActionLoad") == 0) {
        P = host->fetchSuite(host->host, "OfxPropertySuite", 1);
        E = host->fetchSuite(host->host, "OfxImageEffectSuite", 1);
        R = host->fetchSuite(host->host, "OfxParameterSuite", 1);
        M1 = host->fetchSuite(host->host, "OfxMessageSuite", 1);
        M2 = host->fetchSuite(host->host, "OfxMessageSuite", 2);
        return P && E && R && M1 ? 0 : 4;
    }
    if (strcmp(action, "OfxActionDescribe") == 0) return describe(effect);
    if (strcmp(action, "OfxImageEffectActionDescribeInContext") == 0) return describe_in_context(effect);
    if (strcmp(action, "OfxActionCreateInstance") == 0) return 0;
    if (strcmp(action, "OfxActionDestroyInstance") == 0) return 0;
    if (strcmp(action, "OfxImageEffectActionGetFramesNeeded") == 0) return frames_needed(in, out);
    if (strcmp(action, "OfxActionInstanceChanged") == 0) return instance_changed(effect, in);
    if (strcmp(action, "OfxImageEffectActionRender") == 0) return render(effect, in);
    return 14; /* kOfxStatReplyDefault */
}

static void set_host(OfxHost *h) { host = h; }

static OfxPlugin plugin = {"OfxImageEffectPluginAPI", 1, "org.doppel.test.Probe", 1, 0, set_host, main_entry};

int OfxGetNumberOfPlugins(void) { return 1; }
OfxPlugin *OfxGetPlugin(int i) { return i == 0 ? &plugin : 0; }
OfxStatus OfxSetHost(OfxHost *h) { host = h; return 0; }
