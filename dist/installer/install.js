import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 67:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 481:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");

/***/ }),

/***/ 243:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.r(__webpack_exports__);
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   CHOMPING_CLIP: () => (/* binding */ CHOMPING_CLIP),
/* harmony export */   CHOMPING_KEEP: () => (/* binding */ CHOMPING_KEEP),
/* harmony export */   CHOMPING_MODE: () => (/* binding */ CHOMPING_MODE),
/* harmony export */   CHOMPING_STRIP: () => (/* binding */ CHOMPING_STRIP),
/* harmony export */   COLLECTION_STYLE: () => (/* binding */ COLLECTION_STYLE),
/* harmony export */   COLLECTION_STYLE_BLOCK: () => (/* binding */ COLLECTION_STYLE_BLOCK),
/* harmony export */   COLLECTION_STYLE_FLOW: () => (/* binding */ COLLECTION_STYLE_FLOW),
/* harmony export */   CORE_SCHEMA: () => (/* binding */ CORE_SCHEMA),
/* harmony export */   DEFAULT_SCALAR_STYLE_RULES: () => (/* binding */ DEFAULT_SCALAR_STYLE_RULES),
/* harmony export */   DUMP_SCHEMA: () => (/* binding */ DUMP_SCHEMA),
/* harmony export */   EVENT_ALIAS: () => (/* binding */ EVENT_ALIAS),
/* harmony export */   EVENT_DOCUMENT: () => (/* binding */ EVENT_DOCUMENT),
/* harmony export */   EVENT_ID: () => (/* binding */ EVENT_ID),
/* harmony export */   EVENT_MAPPING: () => (/* binding */ EVENT_MAPPING),
/* harmony export */   EVENT_POP: () => (/* binding */ EVENT_POP),
/* harmony export */   EVENT_SCALAR: () => (/* binding */ EVENT_SCALAR),
/* harmony export */   EVENT_SEQUENCE: () => (/* binding */ EVENT_SEQUENCE),
/* harmony export */   FAILSAFE_SCHEMA: () => (/* binding */ FAILSAFE_SCHEMA),
/* harmony export */   JSON_SCHEMA: () => (/* binding */ JSON_SCHEMA),
/* harmony export */   NOT_RESOLVED: () => (/* binding */ NOT_RESOLVED),
/* harmony export */   SCALAR_STYLE: () => (/* binding */ SCALAR_STYLE),
/* harmony export */   SCALAR_STYLE_DOUBLE_QUOTED: () => (/* binding */ SCALAR_STYLE_DOUBLE_QUOTED),
/* harmony export */   SCALAR_STYLE_FOLDED_BLOCK: () => (/* binding */ SCALAR_STYLE_FOLDED_BLOCK),
/* harmony export */   SCALAR_STYLE_LITERAL_BLOCK: () => (/* binding */ SCALAR_STYLE_LITERAL_BLOCK),
/* harmony export */   SCALAR_STYLE_PLAIN: () => (/* binding */ SCALAR_STYLE_PLAIN),
/* harmony export */   SCALAR_STYLE_SINGLE_QUOTED: () => (/* binding */ SCALAR_STYLE_SINGLE_QUOTED),
/* harmony export */   Schema: () => (/* binding */ Schema),
/* harmony export */   VISIT_BREAK: () => (/* binding */ VISIT_BREAK),
/* harmony export */   VISIT_SKIP: () => (/* binding */ VISIT_SKIP),
/* harmony export */   YAML11_SCHEMA: () => (/* binding */ YAML11_SCHEMA),
/* harmony export */   YAMLException: () => (/* binding */ YAMLException),
/* harmony export */   binaryTag: () => (/* binding */ binaryTag),
/* harmony export */   boolCoreTag: () => (/* binding */ boolCoreTag),
/* harmony export */   boolJsonTag: () => (/* binding */ boolJsonTag),
/* harmony export */   boolYaml11Tag: () => (/* binding */ boolYaml11Tag),
/* harmony export */   constructFromEvents: () => (/* binding */ constructFromEvents),
/* harmony export */   defineMappingTag: () => (/* binding */ defineMappingTag),
/* harmony export */   defineScalarTag: () => (/* binding */ defineScalarTag),
/* harmony export */   defineSequenceTag: () => (/* binding */ defineSequenceTag),
/* harmony export */   dump: () => (/* binding */ dump),
/* harmony export */   eventsToAst: () => (/* binding */ eventsToAst),
/* harmony export */   floatCoreTag: () => (/* binding */ floatCoreTag),
/* harmony export */   floatJsonTag: () => (/* binding */ floatJsonTag),
/* harmony export */   floatYaml11Tag: () => (/* binding */ floatYaml11Tag),
/* harmony export */   getScalarValue: () => (/* binding */ getScalarValue),
/* harmony export */   intCoreTag: () => (/* binding */ intCoreTag),
/* harmony export */   intJsonTag: () => (/* binding */ intJsonTag),
/* harmony export */   intYaml11Tag: () => (/* binding */ intYaml11Tag),
/* harmony export */   jsToAst: () => (/* binding */ jsToAst),
/* harmony export */   legacyMapTag: () => (/* binding */ legacyMapTag),
/* harmony export */   load: () => (/* binding */ load),
/* harmony export */   loadAll: () => (/* binding */ loadAll),
/* harmony export */   mapTag: () => (/* binding */ mapTag),
/* harmony export */   mergeTag: () => (/* binding */ mergeTag),
/* harmony export */   nullCoreTag: () => (/* binding */ nullCoreTag),
/* harmony export */   nullJsonTag: () => (/* binding */ nullJsonTag),
/* harmony export */   nullYaml11Tag: () => (/* binding */ nullYaml11Tag),
/* harmony export */   omapTag: () => (/* binding */ omapTag),
/* harmony export */   pairsTag: () => (/* binding */ pairsTag),
/* harmony export */   parseEvents: () => (/* binding */ parseEvents),
/* harmony export */   present: () => (/* binding */ present),
/* harmony export */   realMapTag: () => (/* binding */ realMapTag),
/* harmony export */   seqTag: () => (/* binding */ seqTag),
/* harmony export */   setTag: () => (/* binding */ setTag),
/* harmony export */   strTag: () => (/* binding */ strTag),
/* harmony export */   timestampTag: () => (/* binding */ timestampTag),
/* harmony export */   visit: () => (/* binding */ visit)
/* harmony export */ });
/*! js-yaml 5.5.0 https://github.com/nodeca/js-yaml @license MIT */
//#region src/tag.ts
/**
* Returned by a scalar resolver when the source does not match its tag.
*
* @category Tags
*/
var NOT_RESOLVED = Symbol("NOT_RESOLVED");
/**
* Create a normalized scalar tag definition.
*
* @category Tags
*/
function defineScalarTag(tagName, options) {
	return {
		tagName,
		nodeKind: "scalar",
		implicit: options.implicit ?? false,
		matchByTagPrefix: options.matchByTagPrefix ?? false,
		implicitFirstChars: options.implicitFirstChars ?? null,
		resolve: options.resolve,
		identify: options.identify,
		represent: options.represent ?? ((data) => String(data)),
		representTagName: options.representTagName ?? (() => tagName)
	};
}
/**
* Create a normalized sequence tag definition.
*
* @category Tags
*/
function defineSequenceTag(tagName, options) {
	const carrierIsResult = options.finalize === void 0;
	return {
		tagName,
		nodeKind: "sequence",
		implicit: false,
		matchByTagPrefix: options.matchByTagPrefix ?? false,
		create: options.create,
		addItem: options.addItem,
		finalize: options.finalize ?? ((carrier) => carrier),
		carrierIsResult,
		identify: options.identify,
		represent: options.represent ?? ((data) => data),
		representTagName: options.representTagName ?? (() => tagName)
	};
}
/**
* Create a normalized mapping tag definition.
*
* @category Tags
*/
function defineMappingTag(tagName, options) {
	const carrierIsResult = options.finalize === void 0;
	return {
		tagName,
		nodeKind: "mapping",
		implicit: false,
		matchByTagPrefix: options.matchByTagPrefix ?? false,
		create: options.create,
		addPair: options.addPair,
		has: options.has,
		keys: options.keys,
		get: options.get,
		finalize: options.finalize ?? ((carrier) => carrier),
		carrierIsResult,
		identify: options.identify,
		represent: options.represent ?? ((data) => data),
		representTagName: options.representTagName ?? (() => tagName)
	};
}
//#endregion
//#region src/tag/scalar/str.ts
/** @category Tags */
var strTag = defineScalarTag("tag:yaml.org,2002:str", {
	resolve: (source) => source,
	identify: (data) => typeof data === "string"
});
//#endregion
//#region src/tag/scalar/null_core.ts
var NULL_VALUES$1 = [
	"",
	"~",
	"null",
	"Null",
	"NULL"
];
/** @category Tags */
var nullCoreTag = defineScalarTag("tag:yaml.org,2002:null", {
	implicit: true,
	implicitFirstChars: [
		"",
		"~",
		"n",
		"N"
	],
	resolve: (source) => {
		if (NULL_VALUES$1.indexOf(source) !== -1) return null;
		return NOT_RESOLVED;
	},
	identify: (object) => object === null,
	represent: () => "null"
});
//#endregion
//#region src/tag/scalar/null_json.ts
/** @category Tags */
var nullJsonTag = defineScalarTag("tag:yaml.org,2002:null", {
	implicit: true,
	implicitFirstChars: ["n"],
	resolve: (source, isExplicit) => {
		if (source === "null" || isExplicit && source === "") return null;
		return NOT_RESOLVED;
	},
	identify: (object) => object === null,
	represent: () => "null"
});
//#endregion
//#region src/tag/scalar/null_yaml11.ts
var NULL_VALUES = [
	"",
	"~",
	"null",
	"Null",
	"NULL"
];
/** @category Tags */
var nullYaml11Tag = defineScalarTag("tag:yaml.org,2002:null", {
	implicit: true,
	implicitFirstChars: [
		"",
		"~",
		"n",
		"N"
	],
	resolve: (source) => {
		if (NULL_VALUES.indexOf(source) !== -1) return null;
		return NOT_RESOLVED;
	},
	identify: (object) => object === null,
	represent: () => "null"
});
//#endregion
//#region src/tag/scalar/bool_core.ts
var TRUE_VALUES$2 = [
	"true",
	"True",
	"TRUE"
];
var FALSE_VALUES$2 = [
	"false",
	"False",
	"FALSE"
];
/** @category Tags */
var boolCoreTag = defineScalarTag("tag:yaml.org,2002:bool", {
	implicit: true,
	implicitFirstChars: [
		"t",
		"T",
		"f",
		"F"
	],
	resolve: (source) => {
		if (TRUE_VALUES$2.indexOf(source) !== -1) return true;
		if (FALSE_VALUES$2.indexOf(source) !== -1) return false;
		return NOT_RESOLVED;
	},
	identify: (object) => Object.prototype.toString.call(object) === "[object Boolean]",
	represent: (object) => object ? "true" : "false"
});
//#endregion
//#region src/tag/scalar/bool_json.ts
var TRUE_VALUES$1 = ["true"];
var FALSE_VALUES$1 = ["false"];
/** @category Tags */
var boolJsonTag = defineScalarTag("tag:yaml.org,2002:bool", {
	implicit: true,
	implicitFirstChars: ["t", "f"],
	resolve: (source) => {
		if (TRUE_VALUES$1.indexOf(source) !== -1) return true;
		if (FALSE_VALUES$1.indexOf(source) !== -1) return false;
		return NOT_RESOLVED;
	},
	identify: (object) => Object.prototype.toString.call(object) === "[object Boolean]",
	represent: (object) => object ? "true" : "false"
});
//#endregion
//#region src/tag/scalar/bool_yaml11.ts
var TRUE_VALUES = [
	"true",
	"True",
	"TRUE",
	"y",
	"Y",
	"yes",
	"Yes",
	"YES",
	"on",
	"On",
	"ON"
];
var FALSE_VALUES = [
	"false",
	"False",
	"FALSE",
	"n",
	"N",
	"no",
	"No",
	"NO",
	"off",
	"Off",
	"OFF"
];
/** @category Tags */
var boolYaml11Tag = defineScalarTag("tag:yaml.org,2002:bool", {
	implicit: true,
	implicitFirstChars: [
		"y",
		"Y",
		"n",
		"N",
		"t",
		"T",
		"f",
		"F",
		"o",
		"O"
	],
	resolve: (source) => {
		if (TRUE_VALUES.indexOf(source) !== -1) return true;
		if (FALSE_VALUES.indexOf(source) !== -1) return false;
		return NOT_RESOLVED;
	},
	identify: (object) => Object.prototype.toString.call(object) === "[object Boolean]",
	represent: (object) => object ? "true" : "false"
});
//#endregion
//#region src/tag/scalar/int_core.ts
var YAML_INTEGER_IMPLICIT_PATTERN$1 = /* @__PURE__ */ new RegExp("^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$");
var YAML_INTEGER_EXPLICIT_PATTERN$1 = /* @__PURE__ */ new RegExp("^(?:[-+]?0b[0-1]+|[-+]?0o[0-7]+|[-+]?0x[0-9a-fA-F]+|[-+]?[0-9]+)$");
function parseYamlInteger$2(source) {
	let value = source;
	let sign = 1;
	if (value[0] === "-" || value[0] === "+") {
		if (value[0] === "-") sign = -1;
		value = value.slice(1);
	}
	if (value.startsWith("0b")) return sign * parseInt(value.slice(2), 2);
	if (value.startsWith("0o")) return sign * parseInt(value.slice(2), 8);
	if (value.startsWith("0x")) return sign * parseInt(value.slice(2), 16);
	return sign * parseInt(value, 10);
}
function resolveYamlInteger$2(source, isExplicit) {
	if (isExplicit) {
		if (!YAML_INTEGER_EXPLICIT_PATTERN$1.test(source)) return NOT_RESOLVED;
	} else if (!YAML_INTEGER_IMPLICIT_PATTERN$1.test(source)) return NOT_RESOLVED;
	const result = parseYamlInteger$2(source);
	return Number.isFinite(result) ? result : NOT_RESOLVED;
}
/** @category Tags */
var intCoreTag = defineScalarTag("tag:yaml.org,2002:int", {
	implicit: true,
	implicitFirstChars: [
		"-",
		"+",
		..."0123456789"
	],
	resolve: resolveYamlInteger$2,
	identify: (object) => Number.isInteger(object) && !Object.is(object, -0) && object.toString(10).indexOf("e") < 0,
	represent: (object) => object.toString(10)
});
//#endregion
//#region src/tag/scalar/int_json.ts
var YAML_INTEGER_IMPLICIT_PATTERN = /* @__PURE__ */ new RegExp("^-?(?:0|[1-9][0-9]*)$");
var YAML_INTEGER_EXPLICIT_PATTERN = /* @__PURE__ */ new RegExp("^(?:[-+]?0b[0-1]+|[-+]?0o[0-7]+|[-+]?0x[0-9a-fA-F]+|[-+]?[0-9]+)$");
function parseYamlInteger$1(source) {
	let value = source;
	let sign = 1;
	if (value[0] === "-" || value[0] === "+") {
		if (value[0] === "-") sign = -1;
		value = value.slice(1);
	}
	if (value.startsWith("0b")) return sign * parseInt(value.slice(2), 2);
	if (value.startsWith("0o")) return sign * parseInt(value.slice(2), 8);
	if (value.startsWith("0x")) return sign * parseInt(value.slice(2), 16);
	return sign * parseInt(value, 10);
}
function resolveYamlInteger$1(source, isExplicit) {
	if (isExplicit) {
		if (!YAML_INTEGER_EXPLICIT_PATTERN.test(source)) return NOT_RESOLVED;
	} else if (!YAML_INTEGER_IMPLICIT_PATTERN.test(source)) return NOT_RESOLVED;
	const result = parseYamlInteger$1(source);
	return Number.isFinite(result) ? result : NOT_RESOLVED;
}
/** @category Tags */
var intJsonTag = defineScalarTag("tag:yaml.org,2002:int", {
	implicit: true,
	implicitFirstChars: ["-", ..."0123456789"],
	resolve: resolveYamlInteger$1,
	identify: (object) => Number.isInteger(object) && !Object.is(object, -0) && object.toString(10).indexOf("e") < 0,
	represent: (object) => object.toString(10)
});
//#endregion
//#region src/tag/scalar/int_yaml11.ts
var YAML_INTEGER_PATTERN = /* @__PURE__ */ new RegExp("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?(?:0|[1-9][0-9_]*))$");
function parseYamlInteger(source) {
	let value = source.replace(/_/g, "");
	let sign = 1;
	if (value[0] === "-" || value[0] === "+") {
		if (value[0] === "-") sign = -1;
		value = value.slice(1);
	}
	if (value.startsWith("0b")) return sign * parseInt(value.slice(2), 2);
	if (value.startsWith("0x")) return sign * parseInt(value.slice(2), 16);
	if (value.includes(":")) {
		let result = 0;
		for (const part of value.split(":")) result = result * 60 + Number(part);
		return sign * result;
	}
	if (value !== "0" && value[0] === "0") return sign * parseInt(value, 8);
	return sign * parseInt(value, 10);
}
function resolveYamlInteger(source) {
	if (!YAML_INTEGER_PATTERN.test(source)) return NOT_RESOLVED;
	const result = parseYamlInteger(source);
	return Number.isFinite(result) ? result : NOT_RESOLVED;
}
/** @category Tags */
var intYaml11Tag = defineScalarTag("tag:yaml.org,2002:int", {
	implicit: true,
	implicitFirstChars: [
		"-",
		"+",
		..."0123456789"
	],
	resolve: resolveYamlInteger,
	identify: (object) => Number.isInteger(object) && !Object.is(object, -0) && object.toString(10).indexOf("e") < 0,
	represent: (object) => object.toString(10)
});
//#endregion
//#region src/tag/scalar/float_core.ts
var YAML_FLOAT_PATTERN$1 = /* @__PURE__ */ new RegExp("^(?:[-+]?[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
var YAML_FLOAT_SPECIAL_PATTERN$1 = /* @__PURE__ */ new RegExp("^(?:[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
function resolveYamlFloat$2(source) {
	if (!YAML_FLOAT_PATTERN$1.test(source)) return NOT_RESOLVED;
	let value = source.toLowerCase();
	const sign = value[0] === "-" ? -1 : 1;
	if ("+-".includes(value[0])) value = value.slice(1);
	if (value === ".inf") return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
	if (value === ".nan") return NaN;
	const result = sign * parseFloat(value);
	if (Number.isFinite(result) || YAML_FLOAT_SPECIAL_PATTERN$1.test(source)) return result;
	return NOT_RESOLVED;
}
function representYamlFloat$2(object) {
	if (isNaN(object)) return ".nan";
	if (object === Number.POSITIVE_INFINITY) return ".inf";
	if (object === Number.NEGATIVE_INFINITY) return "-.inf";
	if (Object.is(object, -0)) return "-0.0";
	const result = object.toString(10);
	return /^[-+]?[0-9]+e/.test(result) ? result.replace("e", ".e") : result;
}
/** @category Tags */
var floatCoreTag = defineScalarTag("tag:yaml.org,2002:float", {
	implicit: true,
	implicitFirstChars: [
		"-",
		"+",
		".",
		..."0123456789"
	],
	resolve: resolveYamlFloat$2,
	identify: (object) => typeof object === "number" && (!Number.isInteger(object) || Object.is(object, -0) || object.toString(10).indexOf("e") >= 0),
	represent: representYamlFloat$2
});
//#endregion
//#region src/tag/scalar/float_json.ts
var YAML_FLOAT_IMPLICIT_PATTERN = /* @__PURE__ */ new RegExp("^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$");
var YAML_FLOAT_EXPLICIT_PATTERN = /* @__PURE__ */ new RegExp("^(?:[-+]?[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
function resolveYamlFloat$1(source, isExplicit) {
	if (isExplicit) {
		if (!YAML_FLOAT_EXPLICIT_PATTERN.test(source)) return NOT_RESOLVED;
		let value = source.toLowerCase();
		const sign = value[0] === "-" ? -1 : 1;
		if ("+-".includes(value[0])) value = value.slice(1);
		if (value === ".inf") return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
		if (value === ".nan") return NaN;
		const result = sign * parseFloat(value);
		return Number.isFinite(result) ? result : NOT_RESOLVED;
	}
	if (!YAML_FLOAT_IMPLICIT_PATTERN.test(source)) return NOT_RESOLVED;
	const result = Number(source);
	if (Number.isFinite(result)) return result;
	return NOT_RESOLVED;
}
function representYamlFloat$1(object) {
	if (isNaN(object)) return ".nan";
	if (object === Number.POSITIVE_INFINITY) return ".inf";
	if (object === Number.NEGATIVE_INFINITY) return "-.inf";
	if (Object.is(object, -0)) return "-0.0";
	const result = object.toString(10);
	return /^[-+]?[0-9]+e/.test(result) ? result.replace("e", ".e") : result;
}
/** @category Tags */
var floatJsonTag = defineScalarTag("tag:yaml.org,2002:float", {
	implicit: true,
	implicitFirstChars: ["-", ..."0123456789"],
	resolve: resolveYamlFloat$1,
	identify: (object) => typeof object === "number" && (!Number.isInteger(object) || Object.is(object, -0) || object.toString(10).indexOf("e") >= 0),
	represent: representYamlFloat$1
});
//#endregion
//#region src/tag/scalar/float_yaml11.ts
var YAML_FLOAT_PATTERN = /* @__PURE__ */ new RegExp("^(?:[-+]?(?:(?:[0-9][0-9_]*)?\\.[0-9_]*)(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
var YAML_FLOAT_SPECIAL_PATTERN = /* @__PURE__ */ new RegExp("^(?:[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
function resolveYamlFloat(source) {
	if (!YAML_FLOAT_PATTERN.test(source)) return NOT_RESOLVED;
	let value = source.toLowerCase().replace(/_/g, "");
	const sign = value[0] === "-" ? -1 : 1;
	if ("+-".includes(value[0])) value = value.slice(1);
	if (value === ".inf") return sign === 1 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
	if (value === ".nan") return NaN;
	let result = 0;
	if (value.includes(":")) {
		for (const part of value.split(":")) result = result * 60 + Number(part);
		result *= sign;
	} else result = sign * parseFloat(value);
	if (Number.isFinite(result) || YAML_FLOAT_SPECIAL_PATTERN.test(source)) return result;
	return NOT_RESOLVED;
}
function representYamlFloat(object) {
	if (isNaN(object)) return ".nan";
	if (object === Number.POSITIVE_INFINITY) return ".inf";
	if (object === Number.NEGATIVE_INFINITY) return "-.inf";
	if (Object.is(object, -0)) return "-0.0";
	const result = object.toString(10);
	return /^[-+]?[0-9]+e/.test(result) ? result.replace("e", ".e") : result;
}
/** @category Tags */
var floatYaml11Tag = defineScalarTag("tag:yaml.org,2002:float", {
	implicit: true,
	implicitFirstChars: [
		"-",
		"+",
		".",
		..."0123456789"
	],
	resolve: resolveYamlFloat,
	identify: (object) => typeof object === "number" && (!Number.isInteger(object) || Object.is(object, -0) || object.toString(10).indexOf("e") >= 0),
	represent: representYamlFloat
});
//#endregion
//#region src/tag/scalar/merge.ts
/**
* Enables merge keys in {@link CORE_SCHEMA} when added with
* {@link Schema.withTags}.
*
* @category Tags
*/
var mergeTag = defineScalarTag("tag:yaml.org,2002:merge", {
	implicit: true,
	implicitFirstChars: ["<"],
	resolve: (source, isExplicit) => {
		if (source === "<<" || isExplicit && source === "") return "<<";
		return NOT_RESOLVED;
	},
	identify: () => false
});
//#endregion
//#region src/tag/scalar/binary.ts
var BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
function resolveYamlBinary(source) {
	const input = source.replace(/\s/g, "");
	if (input.length % 4 !== 0 || !BASE64_PATTERN.test(input)) return NOT_RESOLVED;
	const binary = atob(input);
	const result = new Uint8Array(binary.length);
	for (let index = 0; index < binary.length; index++) result[index] = binary.charCodeAt(index);
	return result;
}
function representYamlBinary(object) {
	let binary = "";
	for (let index = 0; index < object.length; index++) binary += String.fromCharCode(object[index]);
	return btoa(binary);
}
/**
* The `!!binary` tag, represented as a `Uint8Array`.
*
* @category Tags
*/
var binaryTag = defineScalarTag("tag:yaml.org,2002:binary", {
	resolve: resolveYamlBinary,
	identify: (object) => Object.prototype.toString.call(object) === "[object Uint8Array]",
	represent: representYamlBinary
});
//#endregion
//#region src/tag/scalar/timestamp.ts
var YAML_DATE_REGEXP = /* @__PURE__ */ new RegExp("^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$");
var YAML_TIMESTAMP_REGEXP = /* @__PURE__ */ new RegExp("^([0-9][0-9][0-9][0-9])-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \\t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\\.([0-9]*))?(?:[ \\t]*(Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?$");
function makeUtcDate(year, month, day, hour = 0, minute = 0, second = 0, fraction = 0) {
	const date = new Date(Date.UTC(year, month, day, hour, minute, second, fraction));
	date.setUTCFullYear(year, month, day);
	return date;
}
function resolveYamlTimestamp(source) {
	let match = YAML_DATE_REGEXP.exec(source);
	if (match === null) match = YAML_TIMESTAMP_REGEXP.exec(source);
	if (match === null) return NOT_RESOLVED;
	const year = +match[1];
	const month = +match[2] - 1;
	const day = +match[3];
	if (!match[4]) {
		const date = makeUtcDate(year, month, day);
		if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return NOT_RESOLVED;
		return date;
	}
	const hour = +match[4];
	const minute = +match[5];
	const second = +match[6];
	let fraction = 0;
	if (hour > 23 || minute > 59 || second > 59) return NOT_RESOLVED;
	if (match[7]) {
		let value = match[7].slice(0, 3);
		while (value.length < 3) value += "0";
		fraction = +value;
	}
	const date = makeUtcDate(year, month, day, hour, minute, second, fraction);
	if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return NOT_RESOLVED;
	if (match[9]) {
		const offsetHour = +match[10];
		const offsetMinute = +(match[11] || 0);
		if (offsetHour > 23 || offsetMinute > 59) return NOT_RESOLVED;
		const offset = (offsetHour * 60 + offsetMinute) * 6e4;
		date.setTime(date.getTime() - (match[9] === "-" ? -offset : offset));
	}
	return date;
}
/**
* The YAML 1.1 `!!timestamp` tag, represented as a JavaScript `Date`.
*
* @category Tags
*/
var timestampTag = defineScalarTag("tag:yaml.org,2002:timestamp", {
	implicit: true,
	implicitFirstChars: [..."0123456789"],
	resolve: resolveYamlTimestamp,
	identify: (object) => object instanceof Date,
	represent: (object) => object.toISOString()
});
//#endregion
//#region src/tag/sequence/seq.ts
/** @category Tags */
var seqTag = defineSequenceTag("tag:yaml.org,2002:seq", {
	create: () => [],
	addItem: (container, item) => {
		container.push(item);
	},
	identify: Array.isArray
});
//#endregion
//#region src/common/object.ts
function isPlainObject(data) {
	if (data === null || typeof data !== "object" || Array.isArray(data)) return false;
	const prototype = Object.getPrototypeOf(data);
	return prototype === null || prototype === Object.prototype;
}
function pick(object, keys) {
	const result = {};
	for (const key of keys) if (object[key] !== void 0) result[key] = object[key];
	return result;
}
//#endregion
//#region src/tag/sequence/omap.ts
/**
* Provided only for YAML 1.1 compatibility and supported by the loader only.
* JavaScript has no dedicated class to represent this type, so it cannot be
* identified and dumped.
*
* ```yaml
* !!omap
*   - one: 1
*   - two: 2
* ```
*
* is loaded as
*
* ```javascript
* [
*   { one: 1 },
*   { two: 2 }
* ]
* ```
*
* @category Tags
*/
var omapTag = defineSequenceTag("tag:yaml.org,2002:omap", {
	create: () => ({
		list: [],
		seen: /* @__PURE__ */ new Set()
	}),
	addItem: (carrier, item) => {
		let key;
		if (item instanceof Map) {
			if (item.size !== 1) return "cannot resolve an ordered map item";
			key = item.keys().next().value;
		} else if (isPlainObject(item)) {
			const itemKeys = Object.keys(item);
			if (itemKeys.length !== 1) return "cannot resolve an ordered map item";
			key = itemKeys[0];
		} else return "cannot resolve an ordered map item";
		if (carrier.seen.has(key)) return "duplicate key in ordered map";
		carrier.seen.add(key);
		carrier.list.push(item);
		return "";
	},
	finalize: (carrier) => carrier.list,
	identify: () => false
});
//#endregion
//#region src/tag/sequence/pairs.ts
/**
* Provided only for YAML 1.1 compatibility and supported by the loader only.
* JavaScript has no dedicated class to represent this type, so it cannot be
* identified and dumped.
*
* ```yaml
* !!pairs
*   - one: 1
*   - two: 2
* ```
*
* is loaded as
*
* ```javascript
* [
*   ['one', 1],
*   ['two', 2]
* ]
* ```
*
* @category Tags
*/
var pairsTag = defineSequenceTag("tag:yaml.org,2002:pairs", {
	create: () => [],
	addItem: (container, item) => {
		if (item instanceof Map) {
			if (item.size !== 1) return "cannot resolve a pairs item";
			container.push(item.entries().next().value);
			return "";
		}
		if (Object.prototype.toString.call(item) !== "[object Object]") return "cannot resolve a pairs item";
		const object = item;
		const keys = Object.keys(object);
		if (keys.length !== 1) return "cannot resolve a pairs item";
		container.push([keys[0], object[keys[0]]]);
		return "";
	},
	identify: () => false
});
//#endregion
//#region src/tag/mapping/map.ts
/**
* This is the default mapping implementation. It uses `{}` objects and has only
* partial functionality due to language limitations. This choice was made
* because users expect to get JavaScript objects, and it was left unchanged to
* avoid too many breaking changes in the v5 release.
*
* Side effects:
*
* - `Object.hasOwn()` checks or `for...of` loops are required for safe use (to
*   avoid falling through to prototypes).
* - Only scalar string keys are supported properly.
* - Other scalar keys, such as `null` and numbers, are converted to strings.
*   This is historical behaviour, and it can cause side effects such as
*   problems with `!!merge`.
*
* Note that non-string scalar keys may be deprecated in future versions.
*
* Ideally, use {@link realMapTag} instead.
*
* @category Tags
*/
var mapTag = defineMappingTag("tag:yaml.org,2002:map", {
	create: () => ({}),
	identify: isPlainObject,
	represent: (o) => {
		const map = /* @__PURE__ */ new Map();
		for (const key of Object.keys(o)) map.set(key, o[key]);
		return map;
	},
	addPair: (container, key, value) => {
		if (key !== null && typeof key === "object") return "object-based map does not support complex keys";
		const normalizedKey = String(key);
		if (normalizedKey === "__proto__") Object.defineProperty(container, normalizedKey, {
			value,
			enumerable: true,
			configurable: true,
			writable: true
		});
		else container[normalizedKey] = value;
		return "";
	},
	has: (container, key) => {
		if (key !== null && typeof key === "object") return false;
		return Object.prototype.hasOwnProperty.call(container, String(key));
	},
	keys: (container) => Object.keys(container),
	get: (container, key) => {
		const normalizedKey = String(key);
		if (!Object.prototype.hasOwnProperty.call(container, normalizedKey)) return null;
		return container[normalizedKey];
	}
});
//#endregion
//#region src/tag/mapping/set.ts
/**
* The YAML 1.1 `!!set` tag, represented as a JavaScript `Set`.
*
* @category Tags
*/
var setTag = defineMappingTag("tag:yaml.org,2002:set", {
	create: () => /* @__PURE__ */ new Set(),
	identify: (data) => data instanceof Set,
	represent: (data) => {
		const map = /* @__PURE__ */ new Map();
		for (const key of data) map.set(key, null);
		return map;
	},
	addPair: (container, key, value) => {
		if (value !== null) return "cannot resolve a set item";
		container.add(key);
		return "";
	},
	has: (container, key) => container.has(key),
	keys: (container) => container.keys(),
	get: () => null
});
//#endregion
//#region src/schema.ts
function createTagDefinitionMap() {
	return {
		scalar: Object.create(null),
		sequence: Object.create(null),
		mapping: Object.create(null)
	};
}
function createTagDefinitionListMap() {
	return {
		scalar: [],
		sequence: [],
		mapping: []
	};
}
function compileTags(tags) {
	const result = [];
	for (const tag of tags) {
		let index = result.length;
		for (let previousIndex = 0; previousIndex < result.length; previousIndex++) {
			const previous = result[previousIndex];
			if (previous.nodeKind === tag.nodeKind && previous.tagName === tag.tagName && previous.matchByTagPrefix === tag.matchByTagPrefix) {
				index = previousIndex;
				break;
			}
		}
		result[index] = tag;
	}
	return result;
}
/**
* Controls tag resolution when loading and type selection when dumping.
*
* @category Schemas
*/
var Schema = class Schema {
	tags;
	/** @internal */
	implicitScalarTags;
	/**
	* Dispatch implicit scalar resolvers by `source.charAt(0)`. Each bucket holds
	* the resolvers that may match that key, in schema order; a key absent from
	* the map uses
	* {@link Schema.implicitScalarAnyFirstChar}
	* (resolvers that declared no first-char constraint, so they apply to any
	* first character).
	*/
	implicitScalarByFirstChar;
	implicitScalarAnyFirstChar;
	/**
	* The default scalar tag (`!!str`), resolved once so the composer's fallback
	* for unresolved plain scalars avoids a keyed lookup per scalar.
	*
	* @internal
	*/
	defaultScalarTag;
	/**
	* The default container tags (`!!seq` / `!!map`), used by the dumper: when a
	* value is identified by its default tag, the tag is implicit and not
	* printed. Undefined if the schema does not define them (then such values
	* can't be dumped).
	*
	* @internal
	*/
	defaultSequenceTag;
	/** @internal */
	defaultMappingTag;
	exact;
	prefix;
	constructor(tags) {
		const compiledTags = compileTags(tags);
		const implicitScalarTags = [];
		const exact = createTagDefinitionMap();
		const prefix = createTagDefinitionListMap();
		for (const tag of compiledTags) {
			if (tag.nodeKind === "scalar" && tag.implicit) {
				if (tag.matchByTagPrefix) throw new Error("Implicit scalar tags cannot match by tag prefix");
				implicitScalarTags.push(tag);
			}
			switch (tag.nodeKind) {
				case "scalar":
					if (tag.matchByTagPrefix) prefix.scalar.push(tag);
					else exact.scalar[tag.tagName] = tag;
					break;
				case "sequence":
					if (tag.matchByTagPrefix) prefix.sequence.push(tag);
					else exact.sequence[tag.tagName] = tag;
					break;
				case "mapping": if (tag.matchByTagPrefix) prefix.mapping.push(tag);
				else exact.mapping[tag.tagName] = tag;
			}
		}
		const implicitScalarAnyFirstChar = implicitScalarTags.filter((tag) => tag.implicitFirstChars === null);
		const keys = /* @__PURE__ */ new Set();
		for (const tag of implicitScalarTags) if (tag.implicitFirstChars !== null) for (const key of tag.implicitFirstChars) keys.add(key);
		const implicitScalarByFirstChar = /* @__PURE__ */ new Map();
		for (const key of keys) implicitScalarByFirstChar.set(key, implicitScalarTags.filter((tag) => tag.implicitFirstChars === null || tag.implicitFirstChars.indexOf(key) !== -1));
		const defaultScalarTag = exact.scalar["tag:yaml.org,2002:str"];
		if (!defaultScalarTag) throw new Error("schema does not define the default scalar tag (tag:yaml.org,2002:str)");
		this.tags = compiledTags;
		this.implicitScalarTags = implicitScalarTags;
		this.implicitScalarByFirstChar = implicitScalarByFirstChar;
		this.implicitScalarAnyFirstChar = implicitScalarAnyFirstChar;
		this.defaultScalarTag = defaultScalarTag;
		this.defaultSequenceTag = exact.sequence["tag:yaml.org,2002:seq"];
		this.defaultMappingTag = exact.mapping["tag:yaml.org,2002:map"];
		this.exact = exact;
		this.prefix = prefix;
	}
	/** @internal */
	lookupScalarTag(tagName) {
		const exactTag = this.exact.scalar[tagName];
		if (exactTag) return exactTag;
		for (const tag of this.prefix.scalar) if (tagName.startsWith(tag.tagName)) return tag;
	}
	/** @internal */
	lookupSequenceTag(tagName) {
		const exactTag = this.exact.sequence[tagName];
		if (exactTag) return exactTag;
		for (const tag of this.prefix.sequence) if (tagName.startsWith(tag.tagName)) return tag;
	}
	/** @internal */
	lookupMappingTag(tagName) {
		const exactTag = this.exact.mapping[tagName];
		if (exactTag) return exactTag;
		for (const tag of this.prefix.mapping) if (tagName.startsWith(tag.tagName)) return tag;
	}
	/** @internal */
	resolveImplicitScalarTag(source) {
		const candidates = this.implicitScalarByFirstChar.get(source.charAt(0)) ?? this.implicitScalarAnyFirstChar;
		for (const tag of candidates) {
			const value = tag.resolve(source, false, tag.tagName);
			if (value !== NOT_RESOLVED) return {
				value,
				tag
			};
		}
		const tag = this.defaultScalarTag;
		return {
			value: tag.resolve(source, false, tag.tagName),
			tag
		};
	}
	/**
	* Creates a new schema with the specified tags added. If a tag already
	* exists, it is replaced by the specified tag.
	*
	* @example
	*
	* ```javascript
	* import { CORE_SCHEMA, mergeTag, realMapTag } from 'js-yaml'
	*
	* const schema = CORE_SCHEMA.withTags(mergeTag, realMapTag)
	* ```
	*/
	withTags(...tags) {
		let flatTags = [];
		for (const tag of tags) flatTags = flatTags.concat(tag);
		return new Schema([...this.tags, ...flatTags]);
	}
};
/**
* The YAML 1.2 Failsafe Schema: strings, sequences, and mappings.
*
* @category Schemas
*/
var FAILSAFE_SCHEMA = new Schema([
	strTag,
	seqTag,
	mapTag
]);
/**
* The YAML 1.2 JSON Schema. It uses JSON scalar forms while retaining YAML
* collection syntax.
*
* @category Schemas
*/
var JSON_SCHEMA = new Schema([
	...FAILSAFE_SCHEMA.tags,
	nullJsonTag,
	boolJsonTag,
	intJsonTag,
	floatJsonTag
]);
/**
* The default schema for the loaders. Note, {@link CORE_SCHEMA} comes
* without the `!!merge` tag. You can easily enable it if needed.
*
* @example
* Enable {@link mergeTag}:
*
* ```javascript
* import { load, CORE_SCHEMA, mergeTag } from 'js-yaml'
*
* try {
*   load(data, { schema: CORE_SCHEMA.withTags(mergeTag) })
* } catch (e) {
*   console.error(e)
* }
* ```
*
* @category Schemas
*/
var CORE_SCHEMA = new Schema([
	...FAILSAFE_SCHEMA.tags,
	nullCoreTag,
	boolCoreTag,
	intCoreTag,
	floatCoreTag
]);
/**
* YAML 1.1-compatible schema.
*
* @category Schemas
*/
var YAML11_SCHEMA = new Schema([
	...FAILSAFE_SCHEMA.tags,
	nullYaml11Tag,
	boolYaml11Tag,
	intYaml11Tag,
	floatYaml11Tag,
	timestampTag,
	mergeTag,
	binaryTag,
	omapTag,
	pairsTag,
	setTag
]);
/**
* The dumper schema for maximum compatibility. It combines all supported type
* variants from YAML 1.1 and YAML 1.2 so strings matching any of them are
* quoted. This makes the generated YAML more compatible with other parsers.
*
* The schema is based on YAML 1.1, but extends `!!int` and `!!float` to accept
* both YAML 1.1 and Core Schema forms, since Core Schema supports some forms
* that YAML 1.1 does not.
*
* @category Schemas
*/
var DUMP_SCHEMA = YAML11_SCHEMA.withTags({
	...intYaml11Tag,
	resolve: (source, isExplicit, tagName) => {
		const result = intYaml11Tag.resolve(source, isExplicit, tagName);
		return result === NOT_RESOLVED ? intCoreTag.resolve(source, isExplicit, tagName) : result;
	}
}, {
	...floatYaml11Tag,
	resolve: (source, isExplicit, tagName) => {
		const result = floatYaml11Tag.resolve(source, isExplicit, tagName);
		return result === NOT_RESOLVED ? floatCoreTag.resolve(source, isExplicit, tagName) : result;
	}
});
//#endregion
//#region src/tag/mapping/real_map.ts
/**
* Recommended when non-string keys are actually needed. It uses native
* JavaScript `Map` objects, so keys keep their constructed types instead of
* being converted to strings.
*
* It is not the default to avoid widespread breaking changes in existing
* projects. `Map` has a different access API and does not pass deep equality
* checks against `{}`-based fixtures. Alongside the other changes in v5,
* making it the default was considered too disruptive.
*
* If these differences are acceptable for your project, we recommend using
* {@link realMapTag} to guarantee the absence of problems and side effects.
*
* @example
* Enable {@link realMapTag}:
*
* ```javascript
* import { load, CORE_SCHEMA, realMapTag } from 'js-yaml'
*
* try {
*   load(data, { schema: CORE_SCHEMA.withTags(realMapTag) })
* } catch (e) {
*   console.error(e)
* }
* ```
*
* @category Tags
*/
var realMapTag = defineMappingTag("tag:yaml.org,2002:map", {
	create: () => /* @__PURE__ */ new Map(),
	addPair: (container, key, value) => {
		container.set(key, value);
		return "";
	},
	has: (container, key) => container.has(key),
	keys: (container) => container.keys(),
	get: (container, key) => container.get(key),
	identify: (data) => data instanceof Map || isPlainObject(data),
	represent: (data) => {
		if (data instanceof Map) return data;
		const map = /* @__PURE__ */ new Map();
		const obj = data;
		for (const key of Object.keys(obj)) map.set(key, obj[key]);
		return map;
	}
});
//#endregion
//#region src/tag/mapping/legacy_map.ts
function normalizeKey(key) {
	if (Array.isArray(key)) {
		const array = Array.prototype.slice.call(key);
		for (let index = 0; index < array.length; index++) {
			if (Array.isArray(array[index])) return null;
			if (typeof array[index] === "object" && Object.prototype.toString.call(array[index]) === "[object Object]") array[index] = "[object Object]";
		}
		return String(array);
	}
	if (typeof key === "object" && Object.prototype.toString.call(key) === "[object Object]") return "[object Object]";
	return String(key);
}
/**
* This implementation exists solely to reproduce v4 behavior exactly. Its use
* is strongly discouraged. If complex or non-string keys are needed, use
* {@link realMapTag} instead.
*
* @category Tags
*/
var legacyMapTag = defineMappingTag("tag:yaml.org,2002:map", {
	create: () => ({}),
	identify: isPlainObject,
	represent: (o) => {
		const map = /* @__PURE__ */ new Map();
		for (const key of Object.keys(o)) map.set(key, o[key]);
		return map;
	},
	addPair: (container, key, value) => {
		const normalizedKey = normalizeKey(key);
		if (normalizedKey === null) return "nested arrays are not supported inside keys";
		if (normalizedKey === "__proto__") Object.defineProperty(container, normalizedKey, {
			value,
			enumerable: true,
			configurable: true,
			writable: true
		});
		else container[normalizedKey] = value;
		return "";
	},
	has: (container, key) => {
		const normalizedKey = normalizeKey(key);
		return normalizedKey !== null && Object.prototype.hasOwnProperty.call(container, normalizedKey);
	},
	keys: (container) => Object.keys(container),
	get: (container, key) => {
		const normalizedKey = String(key);
		if (!Object.prototype.hasOwnProperty.call(container, normalizedKey)) return null;
		return container[normalizedKey];
	}
});
//#endregion
//#region src/common/snippet.ts
var DEFAULT_SNIPPET_OPTIONS = {
	maxLength: 79,
	indent: 1,
	linesBefore: 3,
	linesAfter: 2
};
function getLine(buffer, lineStart, lineEnd, position, maxLineLength) {
	let head = "";
	let tail = "";
	const maxHalfLength = Math.floor(maxLineLength / 2) - 1;
	if (position - lineStart > maxHalfLength) {
		head = " ... ";
		lineStart = position - maxHalfLength + head.length;
	}
	if (lineEnd - position > maxHalfLength) {
		tail = " ...";
		lineEnd = position + maxHalfLength - tail.length;
	}
	return {
		str: head + buffer.slice(lineStart, lineEnd).replace(/\t/g, "→") + tail,
		pos: position - lineStart + head.length
	};
}
function padStart(string, max) {
	return " ".repeat(Math.max(max - string.length, 0)) + string;
}
function makeSnippet(mark, options) {
	if (!mark.buffer) return null;
	const opts = {
		...DEFAULT_SNIPPET_OPTIONS,
		...options
	};
	const re = /\r?\n|\r|\0/g;
	const lineStarts = [0];
	const lineEnds = [];
	let match;
	let foundLineNo = -1;
	while (match = re.exec(mark.buffer)) {
		lineEnds.push(match.index);
		lineStarts.push(match.index + match[0].length);
		if (mark.position <= match.index && foundLineNo < 0) foundLineNo = lineStarts.length - 2;
	}
	if (foundLineNo < 0) foundLineNo = lineStarts.length - 1;
	let result = "";
	const lineNoLength = Math.min(mark.line + opts.linesAfter, lineEnds.length).toString().length;
	const maxLineLength = opts.maxLength - (opts.indent + lineNoLength + 3);
	for (let i = 1; i <= opts.linesBefore; i++) {
		if (foundLineNo - i < 0) break;
		const line = getLine(mark.buffer, lineStarts[foundLineNo - i], lineEnds[foundLineNo - i], mark.position - (lineStarts[foundLineNo] - lineStarts[foundLineNo - i]), maxLineLength);
		result = `${" ".repeat(opts.indent)}${padStart((mark.line - i + 1).toString(), lineNoLength)} | ${line.str}\n${result}`;
	}
	const line = getLine(mark.buffer, lineStarts[foundLineNo], lineEnds[foundLineNo], mark.position, maxLineLength);
	result += `${" ".repeat(opts.indent)}${padStart((mark.line + 1).toString(), lineNoLength)} | ${line.str}\n`;
	result += `${"-".repeat(opts.indent + lineNoLength + 3 + line.pos)}^\n`;
	for (let i = 1; i <= opts.linesAfter; i++) {
		if (foundLineNo + i >= lineEnds.length) break;
		const line = getLine(mark.buffer, lineStarts[foundLineNo + i], lineEnds[foundLineNo + i], mark.position - (lineStarts[foundLineNo] - lineStarts[foundLineNo + i]), maxLineLength);
		result += `${" ".repeat(opts.indent)}${padStart((mark.line + i + 1).toString(), lineNoLength)} | ${line.str}\n`;
	}
	return result.replace(/\n$/, "");
}
//#endregion
//#region src/common/exception.ts
function formatError(exception, compact) {
	let where = "";
	if (!exception.mark) return exception.reason;
	if (exception.mark.name) where += `in "${exception.mark.name}" `;
	where += `(${exception.mark.line + 1}:${exception.mark.column + 1})`;
	if (!compact && exception.mark.snippet) where += `\n\n${exception.mark.snippet}`;
	return `${exception.reason} ${where}`;
}
/**
* A YAML error. Unlike an ordinary `Error`, it adds a source snippet showing
* the location of the problem to the error message, when available.
*
* @category Main
*/
var YAMLException = class YAMLException extends Error {
	reason;
	mark;
	/**
	* Optional `mark` contains source snippet data. Usually, use
	* {@link YAMLException.throwAt} instead of passing it directly.
	*/
	constructor(reason, mark) {
		super();
		this.name = "YAMLException";
		this.reason = reason;
		this.mark = mark;
		this.message = formatError(this, false);
		if (Error.captureStackTrace) Error.captureStackTrace(this, this.constructor);
	}
	/**
	* Returns the formatted error, omitting the source snippet in compact mode.
	*/
	toString(compact) {
		return `${this.name}: ${formatError(this, compact)}`;
	}
	/**
	* Builds a YAMLException with a source snippet and throws it. `source` is
	* the raw input text; `position` is an offset into it.
	*/
	static throwAt(source, position, message, filename = "") {
		let line = 0;
		let lineStart = 0;
		for (let index = 0; index < position; index++) {
			const ch = source.charCodeAt(index);
			if (ch === 10) {
				line++;
				lineStart = index + 1;
			} else if (ch === 13) {
				line++;
				if (source.charCodeAt(index + 1) === 10) index++;
				lineStart = index + 1;
			}
		}
		const mark = {
			name: filename,
			buffer: source,
			position,
			line,
			column: position - lineStart
		};
		mark.snippet = makeSnippet(mark);
		throw new YAMLException(message, mark);
	}
};
//#endregion
//#region src/parser/events.ts
/** @category Events */
var EVENT_ID = {
	DOCUMENT: 1,
	SEQUENCE: 2,
	MAPPING: 3,
	SCALAR: 4,
	ALIAS: 5,
	POP: 6
};
/** @category Nodes */
var SCALAR_STYLE = {
	PLAIN: 1,
	SINGLE_QUOTED: 2,
	DOUBLE_QUOTED: 3,
	LITERAL_BLOCK: 4,
	FOLDED_BLOCK: 5
};
/** @category Nodes */
var COLLECTION_STYLE = {
	BLOCK: 1,
	FLOW: 2
};
/** @category Nodes */
var CHOMPING_MODE = {
	CLIP: 1,
	STRIP: 2,
	KEEP: 3
};
//#endregion
//#region src/parser/parser_scalar.ts
var NO_RANGE$3 = -1;
function simpleEscapeSequence(c) {
	switch (c) {
		case 48: return "\0";
		case 97: return "\x07";
		case 98: return "\b";
		case 116: return "	";
		case 9: return "	";
		case 110: return "\n";
		case 118: return "\v";
		case 102: return "\f";
		case 114: return "\r";
		case 101: return "\x1B";
		case 32: return " ";
		case 34: return "\"";
		case 47: return "/";
		case 92: return "\\";
		case 78: return "";
		case 95: return "\xA0";
		case 76: return "\u2028";
		case 80: return "\u2029";
		default: return "";
	}
}
var simpleEscapeCheck = new Array(256);
var simpleEscapeMap = new Array(256);
for (let i = 0; i < 256; i++) {
	simpleEscapeCheck[i] = simpleEscapeSequence(i) ? 1 : 0;
	simpleEscapeMap[i] = simpleEscapeSequence(i);
}
function charFromCodepoint(c) {
	if (c <= 65535) return String.fromCharCode(c);
	return String.fromCharCode((c - 65536 >> 10) + 55296, (c - 65536 & 1023) + 56320);
}
function fromHexCode$1(c) {
	if (c >= 48 && c <= 57) return c - 48;
	return (c | 32) - 97 + 10;
}
function escapedHexLen$1(c) {
	if (c === 120) return 2;
	if (c === 117) return 4;
	return 8;
}
function skipFoldedBreaks(input, position, end) {
	let breaks = 0;
	while (position < end) {
		const ch = input.charCodeAt(position);
		if (ch === 10) {
			breaks++;
			position++;
		} else if (ch === 13) {
			breaks++;
			position++;
			if (input.charCodeAt(position) === 10) position++;
		} else if (ch === 32 || ch === 9) position++;
		else break;
	}
	return {
		position,
		breaks
	};
}
function foldedBreaks(count) {
	if (count === 1) return " ";
	return "\n".repeat(count - 1);
}
function getPlainValue(input, start, end) {
	let result = "";
	let position = start;
	let captureStart = start;
	let captureEnd = start;
	while (position < end) {
		const ch = input.charCodeAt(position);
		if (ch === 10 || ch === 13) {
			result += input.slice(captureStart, captureEnd);
			const fold = skipFoldedBreaks(input, position, end);
			result += foldedBreaks(fold.breaks);
			position = captureStart = captureEnd = fold.position;
		} else {
			position++;
			if (ch !== 32 && ch !== 9) captureEnd = position;
		}
	}
	return result + input.slice(captureStart, captureEnd);
}
function getSingleQuotedValue(input, start, end) {
	let result = "";
	let position = start;
	let captureStart = start;
	let captureEnd = start;
	while (position < end) {
		const ch = input.charCodeAt(position);
		if (ch === 39) {
			result += input.slice(captureStart, position) + "'";
			position += 2;
			captureStart = captureEnd = position;
		} else if (ch === 10 || ch === 13) {
			result += input.slice(captureStart, captureEnd);
			const fold = skipFoldedBreaks(input, position, end);
			result += foldedBreaks(fold.breaks);
			position = captureStart = captureEnd = fold.position;
		} else {
			position++;
			if (ch !== 32 && ch !== 9) captureEnd = position;
		}
	}
	return result + input.slice(captureStart, end);
}
function getDoubleQuotedValue(input, start, end) {
	let result = "";
	let position = start;
	let captureStart = start;
	let captureEnd = start;
	while (position < end) {
		const ch = input.charCodeAt(position);
		if (ch === 92) {
			result += input.slice(captureStart, position);
			position++;
			const escaped = input.charCodeAt(position);
			if (escaped === 10 || escaped === 13) position = skipFoldedBreaks(input, position, end).position;
			else if (escaped < 256 && simpleEscapeCheck[escaped]) {
				result += simpleEscapeMap[escaped];
				position++;
			} else {
				let hexLength = escapedHexLen$1(escaped);
				let hexResult = 0;
				for (; hexLength > 0; hexLength--) {
					position++;
					const digit = fromHexCode$1(input.charCodeAt(position));
					hexResult = (hexResult << 4) + digit;
				}
				result += charFromCodepoint(hexResult);
				position++;
			}
			captureStart = captureEnd = position;
		} else if (ch === 10 || ch === 13) {
			result += input.slice(captureStart, captureEnd);
			const fold = skipFoldedBreaks(input, position, end);
			result += foldedBreaks(fold.breaks);
			position = captureStart = captureEnd = fold.position;
		} else {
			position++;
			if (ch !== 32 && ch !== 9) captureEnd = position;
		}
	}
	return result + input.slice(captureStart, end);
}
function getBlockValue(input, start, end, indent, chomping, folded) {
	const textIndent = indent < 0 ? 0 : indent;
	const region = input.slice(start, end).replace(/\r\n?/g, "\n");
	const lines = region === "" ? [] : (region.endsWith("\n") ? region.slice(0, -1) : region).split("\n");
	let result = "";
	let didReadContent = false;
	let emptyLines = 0;
	let atMoreIndented = false;
	for (const line of lines) {
		let column = 0;
		while (column < textIndent && line.charCodeAt(column) === 32) column++;
		if (indent < 0 || column >= line.length) {
			emptyLines++;
			continue;
		}
		const content = line.slice(textIndent);
		const first = content.charCodeAt(0);
		if (folded) {
			if (first === 32 || first === 9) {
				atMoreIndented = true;
				result += "\n".repeat(didReadContent ? 1 + emptyLines : emptyLines);
			} else if (atMoreIndented) {
				atMoreIndented = false;
				result += "\n".repeat(emptyLines + 1);
			} else if (emptyLines === 0) {
				if (didReadContent) result += " ";
			} else result += "\n".repeat(emptyLines);
		} else result += "\n".repeat(didReadContent ? 1 + emptyLines : emptyLines);
		result += content;
		didReadContent = true;
		emptyLines = 0;
	}
	if (chomping === CHOMPING_MODE.KEEP) result += "\n".repeat(didReadContent ? 1 + emptyLines : emptyLines);
	else if (chomping !== CHOMPING_MODE.STRIP) {
		if (didReadContent) result += "\n";
	}
	return result;
}
/**
* Decodes the scalar referenced by event offsets in `input`.
*
* @category Events
*/
function getScalarValue(input, scalar) {
	if (scalar.valueStart === NO_RANGE$3) return "";
	const { valueStart, valueEnd } = scalar;
	if (scalar.fast) return input.slice(valueStart, valueEnd);
	switch (scalar.style) {
		case SCALAR_STYLE.SINGLE_QUOTED: return getSingleQuotedValue(input, valueStart, valueEnd);
		case SCALAR_STYLE.DOUBLE_QUOTED: return getDoubleQuotedValue(input, valueStart, valueEnd);
		case SCALAR_STYLE.LITERAL_BLOCK: return getBlockValue(input, valueStart, valueEnd, scalar.indent, scalar.chomping, false);
		case SCALAR_STYLE.FOLDED_BLOCK: return getBlockValue(input, valueStart, valueEnd, scalar.indent, scalar.chomping, true);
		default: return getPlainValue(input, valueStart, valueEnd);
	}
}
//#endregion
//#region src/common/tagname.ts
var DEFAULT_TAG_HANDLERS = Object.assign(Object.create(null), {
	"!": "!",
	"!!": "tag:yaml.org,2002:"
});
var TAG_SUFFIX_CHARS = "-#;/?:@&=+$_.~*'()";
var TAG_URI_CHARS = TAG_SUFFIX_CHARS + "!,[]";
var HEX = "0123456789ABCDEF";
function percentByte(byte) {
	return "%" + HEX[byte >> 4] + HEX[byte & 15];
}
function tagPercentEncode(source, isSuffix) {
	const allowed = isSuffix ? TAG_SUFFIX_CHARS : TAG_URI_CHARS;
	let result = "";
	for (let index = 0; index < source.length; index++) {
		let ch = source.charCodeAt(index);
		if (ch >= 48 && ch <= 57 || ch >= 65 && ch <= 90 || ch >= 97 && ch <= 122 || allowed.includes(source[index])) {
			result += source[index];
			continue;
		}
		if (ch >= 55296 && ch <= 56319) ch = 65536 + ((ch & 1023) << 10) + (source.charCodeAt(++index) & 1023);
		if (ch < 128) result += percentByte(ch);
		else if (ch < 2048) result += percentByte(192 | ch >> 6) + percentByte(128 | ch & 63);
		else if (ch < 65536) result += percentByte(224 | ch >> 12) + percentByte(128 | ch >> 6 & 63) + percentByte(128 | ch & 63);
		else result += percentByte(240 | ch >> 18) + percentByte(128 | ch >> 12 & 63) + percentByte(128 | ch >> 6 & 63) + percentByte(128 | ch & 63);
	}
	return result;
}
function tagPercentDecode(source) {
	let result = "";
	let index = 0;
	while (index < source.length) {
		if (source.charCodeAt(index) !== 37) {
			result += source[index++];
			continue;
		}
		let ch = parseInt(source.slice(index + 1, index + 3), 16);
		index += 3;
		if (ch >= 192) {
			let remaining = ch < 224 ? 1 : ch < 240 ? 2 : 3;
			ch &= (1 << 6 - remaining) - 1;
			while (remaining-- > 0) {
				ch = ch << 6 | parseInt(source.slice(index + 1, index + 3), 16) & 63;
				index += 3;
			}
		}
		if (ch < 65536) result += String.fromCharCode(ch);
		else {
			ch -= 65536;
			result += String.fromCharCode(55296 | ch >> 10, 56320 | ch & 1023);
		}
	}
	return result;
}
function tagNameFull(rawTag, tagHandlers) {
	if (rawTag.startsWith("!<") && rawTag.endsWith(">")) return tagPercentDecode(rawTag.slice(2, -1));
	const handleEnd = rawTag.indexOf("!", 1);
	const handle = handleEnd === -1 ? "!" : rawTag.slice(0, handleEnd + 1);
	return tagPercentDecode(tagHandlers?.[handle] ?? DEFAULT_TAG_HANDLERS[handle] ?? handle) + tagPercentDecode(rawTag.slice(handle.length));
}
function tagNameShort(fullTag) {
	let tag = fullTag;
	if (tag.charCodeAt(0) === 33) {
		tag = tag.slice(1);
		return `!${tagPercentEncode(tag, true)}`;
	}
	if (tag.slice(0, 18) === "tag:yaml.org,2002:") return `!!${tagPercentEncode(tag.slice(18), true)}`;
	return `!<${tagPercentEncode(tag, false)}>`;
}
//#endregion
//#region src/parser/constructor.ts
var NO_RANGE$2 = -1;
var MERGE_TAG_NAME = "tag:yaml.org,2002:merge";
var DEFAULT_CONSTRUCTOR_OPTIONS = {
	filename: "",
	schema: CORE_SCHEMA,
	json: false,
	maxTotalMergeKeys: 1e4,
	maxAliases: -1
};
function eventPosition$1(event) {
	if ("tagStart" in event && event.tagStart !== NO_RANGE$2) return event.tagStart;
	if ("anchorStart" in event && event.anchorStart !== NO_RANGE$2) return event.anchorStart;
	if ("valueStart" in event && event.valueStart !== NO_RANGE$2) return event.valueStart;
	if ("start" in event) return event.start;
	return 0;
}
function throwError$1(state, message) {
	YAMLException.throwAt(state.source, state.position, message, state.filename);
}
function finalizeCollection(state, position, tag, carrier) {
	try {
		return tag.finalize(carrier);
	} catch (error) {
		if (error instanceof YAMLException) throw error;
		YAMLException.throwAt(state.source, position, error instanceof Error ? error.message : String(error), state.filename);
	}
}
function constructScalar(state, event) {
	const source = getScalarValue(state.source, event);
	const rawTag = event.tagStart === NO_RANGE$2 ? "" : state.source.slice(event.tagStart, event.tagEnd);
	const strTag = state.schema.defaultScalarTag;
	if (rawTag !== "") {
		if (rawTag === "!") return {
			value: source,
			tag: strTag
		};
		const tagName = tagNameFull(rawTag, state.tagHandlers);
		const scalarTag = state.schema.lookupScalarTag(tagName);
		if (scalarTag) {
			const result = scalarTag.resolve(source, true, tagName);
			if (result === NOT_RESOLVED) throwError$1(state, `cannot resolve a node with !<${tagName}> explicit tag`);
			return {
				value: result,
				tag: scalarTag
			};
		}
		const collectionTagDef = state.schema.lookupMappingTag(tagName) ?? state.schema.lookupSequenceTag(tagName);
		if (collectionTagDef) {
			if (source !== "") throwError$1(state, `cannot resolve a node with !<${tagName}> explicit tag`);
			const carrier = collectionTagDef.create(tagName);
			return {
				value: collectionTagDef.carrierIsResult ? carrier : finalizeCollection(state, state.position, collectionTagDef, carrier),
				tag: collectionTagDef
			};
		}
		throwError$1(state, `unknown scalar tag !<${tagName}>`);
	}
	if (event.style === SCALAR_STYLE.PLAIN) return state.schema.resolveImplicitScalarTag(source);
	return {
		value: strTag.resolve(source, false, strTag.tagName),
		tag: strTag
	};
}
function collectionTagName(state, event, defaultTagName) {
	const rawTag = event.tagStart === NO_RANGE$2 ? "" : state.source.slice(event.tagStart, event.tagEnd);
	return rawTag === "" || rawTag === "!" ? defaultTagName : tagNameFull(rawTag, state.tagHandlers);
}
function isMappingTag(tag) {
	return tag.nodeKind === "mapping";
}
function chargeMergeWork(state) {
	state.totalMergeKeys++;
	if (state.maxTotalMergeKeys !== -1 && state.totalMergeKeys > state.maxTotalMergeKeys) throwError$1(state, `merge keys exceeded maxTotalMergeKeys (${state.maxTotalMergeKeys})`);
}
function mergeKeys(state, frame, source, sourceTag) {
	chargeMergeWork(state);
	for (const sourceKey of sourceTag.keys(source)) {
		chargeMergeWork(state);
		if (frame.tag.has(frame.value, sourceKey)) continue;
		const err = frame.tag.addPair(frame.value, sourceKey, sourceTag.get(source, sourceKey));
		if (err) throwError$1(state, err);
		frame.overridable ??= /* @__PURE__ */ new Set();
		frame.overridable.add(sourceKey);
	}
}
function mergeSource(state, frame, source, sourceTag) {
	state.position = frame.keyPosition;
	if (isMappingTag(sourceTag)) mergeKeys(state, frame, source, sourceTag);
	else if (sourceTag.nodeKind === "sequence" && Array.isArray(source)) {
		if (source.length > 100) throwError$1(state, "abnormal merge sequence size");
		for (const element of source) {
			const elementTag = state.nodeTags.get(element);
			if (!elementTag) throwError$1(state, "cannot merge mappings; the provided source object is unacceptable");
			mergeKeys(state, frame, element, elementTag);
		}
	} else throwError$1(state, "cannot merge mappings; the provided source object is unacceptable");
}
function addMappingValue(state, frame, key, value, tag) {
	state.position = frame.keyPosition;
	if (frame.keyIsMerge) {
		mergeSource(state, frame, value, tag);
		return;
	}
	if (!state.json && frame.tag.has(frame.value, key) && !frame.overridable?.has(key)) throwError$1(state, "duplicated mapping key");
	const err = frame.tag.addPair(frame.value, key, value);
	if (err) throwError$1(state, err);
	frame.overridable?.delete(key);
}
function addValue(state, value, tag) {
	const frame = state.frames[state.frames.length - 1];
	if (frame.kind === "document") {
		frame.value = value;
		frame.hasValue = true;
	} else if (frame.kind === "sequence") {
		if (isMappingTag(tag)) state.nodeTags.set(value, tag);
		const err = frame.tag.addItem(frame.value, value, frame.index++);
		if (err) throwError$1(state, err);
	} else if (frame.hasKey) {
		const key = frame.key;
		frame.key = void 0;
		frame.hasKey = false;
		addMappingValue(state, frame, key, value, tag);
	} else {
		frame.key = value;
		frame.keyPosition = state.position;
		frame.hasKey = true;
		frame.keyIsMerge = tag.tagName === MERGE_TAG_NAME;
	}
}
function storeAnchor(state, event, value, tag, isValueFinal) {
	if (event.anchorStart !== NO_RANGE$2) {
		const anchor = {
			value,
			tag,
			isValueFinal
		};
		state.anchors.set(state.source.slice(event.anchorStart, event.anchorEnd), anchor);
		return anchor;
	}
	return null;
}
/**
* Constructs JavaScript documents directly from parser events, without an
* intermediate AST.
*
* @category Events
*/
function constructFromEvents(events, options) {
	const state = {
		...DEFAULT_CONSTRUCTOR_OPTIONS,
		...options,
		events,
		documents: [],
		eventIndex: 0,
		position: 0,
		frames: [],
		anchors: /* @__PURE__ */ new Map(),
		nodeTags: /* @__PURE__ */ new Map(),
		tagHandlers: Object.create(null),
		totalMergeKeys: 0,
		aliasCount: 0
	};
	while (state.eventIndex < state.events.length) {
		const event = state.events[state.eventIndex++];
		state.position = eventPosition$1(event);
		switch (event.type) {
			case EVENT_ID.DOCUMENT:
				state.anchors = /* @__PURE__ */ new Map();
				state.nodeTags = /* @__PURE__ */ new Map();
				state.aliasCount = 0;
				state.tagHandlers = Object.create(null);
				for (const directive of event.directives) if (directive.kind === "tag") state.tagHandlers[directive.handle] = directive.prefix;
				state.frames.push({
					kind: "document",
					position: state.position,
					value: void 0,
					hasValue: false
				});
				break;
			case EVENT_ID.SCALAR: {
				const { value, tag } = constructScalar(state, event);
				storeAnchor(state, event, value, tag, true);
				addValue(state, value, tag);
				break;
			}
			case EVENT_ID.SEQUENCE: {
				const tagName = collectionTagName(state, event, "tag:yaml.org,2002:seq");
				const tag = state.schema.lookupSequenceTag(tagName);
				if (!tag) throwError$1(state, `unknown sequence tag !<${tagName}>`);
				const value = tag.create(tagName);
				const anchor = storeAnchor(state, event, value, tag, tag.carrierIsResult);
				state.frames.push({
					kind: "sequence",
					position: state.position,
					value,
					tag,
					anchor,
					index: 0
				});
				break;
			}
			case EVENT_ID.MAPPING: {
				const tagName = collectionTagName(state, event, "tag:yaml.org,2002:map");
				const tag = state.schema.lookupMappingTag(tagName);
				if (!tag) throwError$1(state, `unknown mapping tag !<${tagName}>`);
				const value = tag.create(tagName);
				const anchor = storeAnchor(state, event, value, tag, tag.carrierIsResult);
				state.frames.push({
					kind: "mapping",
					position: state.position,
					value,
					tag,
					anchor,
					key: void 0,
					keyPosition: state.position,
					hasKey: false,
					keyIsMerge: false,
					overridable: null
				});
				break;
			}
			case EVENT_ID.ALIAS: {
				if (state.maxAliases !== -1 && ++state.aliasCount > state.maxAliases) throwError$1(state, `aliases exceeded maxAliases (${state.maxAliases})`);
				const name = state.source.slice(event.anchorStart, event.anchorEnd);
				const anchor = state.anchors.get(name);
				if (!anchor) throwError$1(state, `unidentified alias "${name}"`);
				if (!anchor.isValueFinal) throwError$1(state, `recursive alias "${name}" is not supported for tag ${anchor.tag.tagName} because it uses finalize()`);
				addValue(state, anchor.value, anchor.tag);
				break;
			}
			case EVENT_ID.POP: {
				const frame = state.frames.pop();
				if (frame.kind === "mapping" && frame.hasKey) {
					state.position = frame.keyPosition;
					throwError$1(state, "incomplete mapping pair in event stream");
				}
				if (frame.kind === "document") state.documents.push(frame.value);
				else {
					const value = frame.tag.carrierIsResult ? frame.value : finalizeCollection(state, frame.position, frame.tag, frame.value);
					if (frame.anchor) {
						frame.anchor.value = value;
						frame.anchor.isValueFinal = true;
					}
					addValue(state, value, frame.tag);
				}
				break;
			}
		}
	}
	return state.documents;
}
//#endregion
//#region src/parser/parser.ts
var NO_RANGE$1 = -1;
var HAS_OWN = Object.prototype.hasOwnProperty;
var CONTEXT_FLOW_IN = 1;
var CONTEXT_FLOW_OUT = 2;
var CONTEXT_BLOCK_IN = 3;
var CONTEXT_BLOCK_OUT = 4;
var PATTERN_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
var PATTERN_FLOW_INDICATORS = /[,\[\]{}]/;
var PATTERN_TAG_HANDLE = /^(?:!|!!|![0-9A-Za-z-]+!)$/;
var NS_URI_CHAR = String.raw`(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z\-#;/?:@&=+$,_.!~*'()\[\]])`;
var NS_TAG_CHAR = String.raw`(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z\-#;/?:@&=+$.~*'()_])`;
var PATTERN_TAG_URI = new RegExp(`^(?:${NS_URI_CHAR})*$`);
var PATTERN_TAG_SUFFIX = new RegExp(`^(?:${NS_TAG_CHAR})+$`);
var PATTERN_TAG_PREFIX = new RegExp(`^(?:!(?:${NS_URI_CHAR})*|${NS_TAG_CHAR}(?:${NS_URI_CHAR})*)$`);
var DEFAULT_PARSER_OPTIONS = {
	filename: "",
	maxDepth: 100
};
function addDocumentEvent(state, explicitStart, explicitEnd) {
	state.events.push({
		type: EVENT_ID.DOCUMENT,
		explicitStart,
		explicitEnd,
		directives: state.directives
	});
}
function addSequenceEvent(state, start, anchorStart, anchorEnd, tagStart, tagEnd, style) {
	state.events.push({
		type: EVENT_ID.SEQUENCE,
		start,
		anchorStart,
		anchorEnd,
		tagStart,
		tagEnd,
		style
	});
}
function addMappingEvent(state, start, anchorStart, anchorEnd, tagStart, tagEnd, style) {
	state.events.push({
		type: EVENT_ID.MAPPING,
		start,
		anchorStart,
		anchorEnd,
		tagStart,
		tagEnd,
		style
	});
}
function insertFlowPairMappingEvent(state, snapshot) {
	state.events.splice(snapshot.eventsLength, 0, {
		type: EVENT_ID.MAPPING,
		start: snapshot.position,
		anchorStart: NO_RANGE$1,
		anchorEnd: NO_RANGE$1,
		tagStart: NO_RANGE$1,
		tagEnd: NO_RANGE$1,
		style: COLLECTION_STYLE.FLOW
	});
}
function addScalarEvent(state, valueStart, valueEnd, anchorStart, anchorEnd, tagStart, tagEnd, style, chomping = CHOMPING_MODE.CLIP, indent = -1, fast = false) {
	state.events.push({
		type: EVENT_ID.SCALAR,
		valueStart,
		valueEnd,
		anchorStart,
		anchorEnd,
		tagStart,
		tagEnd,
		style,
		chomping,
		indent,
		fast
	});
}
function addAliasEvent(state, anchorStart, anchorEnd) {
	state.events.push({
		type: EVENT_ID.ALIAS,
		anchorStart,
		anchorEnd
	});
}
function addPopEvent(state) {
	state.events.push({ type: EVENT_ID.POP });
}
function addEmptyScalarEvent(state) {
	addScalarEvent(state, NO_RANGE$1, NO_RANGE$1, NO_RANGE$1, NO_RANGE$1, NO_RANGE$1, NO_RANGE$1, SCALAR_STYLE.PLAIN);
}
function emptyProperties() {
	return {
		anchorStart: NO_RANGE$1,
		anchorEnd: NO_RANGE$1,
		tagStart: NO_RANGE$1,
		tagEnd: NO_RANGE$1
	};
}
function snapshotState(state) {
	return {
		position: state.position,
		line: state.line,
		lineStart: state.lineStart,
		lineIndent: state.lineIndent,
		firstTabInLine: state.firstTabInLine,
		eventsLength: state.events.length
	};
}
function restoreState(state, snapshot) {
	state.position = snapshot.position;
	state.line = snapshot.line;
	state.lineStart = snapshot.lineStart;
	state.lineIndent = snapshot.lineIndent;
	state.firstTabInLine = snapshot.firstTabInLine;
	state.events.length = snapshot.eventsLength;
}
function throwError(state, message) {
	YAMLException.throwAt(state.input.slice(0, state.length), state.position, message, state.filename);
}
function isEol(c) {
	return c === 10 || c === 13;
}
function isWhiteSpace(c) {
	return c === 9 || c === 32;
}
function isWsOrEol(c) {
	return isWhiteSpace(c) || isEol(c);
}
function isWsOrEolOrEnd(c) {
	return c === 0 || isWsOrEol(c);
}
function isFlowIndicator(c) {
	return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}
function fromDecimalCode(c) {
	return c >= 48 && c <= 57 ? c - 48 : -1;
}
function fromHexCode(c) {
	if (c >= 48 && c <= 57) return c - 48;
	const lc = c | 32;
	if (lc >= 97 && lc <= 102) return lc - 97 + 10;
	return -1;
}
function escapedHexLen(c) {
	if (c === 120) return 2;
	if (c === 117) return 4;
	if (c === 85) return 8;
	return 0;
}
function isSimpleEscape(c) {
	return c === 48 || c === 97 || c === 98 || c === 116 || c === 9 || c === 110 || c === 118 || c === 102 || c === 114 || c === 101 || c === 32 || c === 34 || c === 47 || c === 92 || c === 78 || c === 95 || c === 76 || c === 80;
}
function consumeLineBreak(state) {
	if (state.input.charCodeAt(state.position) === 10) state.position++;
	else {
		state.position++;
		if (state.input.charCodeAt(state.position) === 10) state.position++;
	}
	state.line++;
	state.lineStart = state.position;
	state.lineIndent = 0;
	state.firstTabInLine = -1;
}
function skipSeparationSpace(state, allowComments) {
	let lineBreaks = 0;
	let ch = state.input.charCodeAt(state.position);
	let hasSeparation = state.position === state.lineStart || isWsOrEol(state.input.charCodeAt(state.position - 1));
	while (ch !== 0) {
		while (isWhiteSpace(ch)) {
			hasSeparation = true;
			if (ch === 9 && state.firstTabInLine === -1) state.firstTabInLine = state.position;
			ch = state.input.charCodeAt(++state.position);
		}
		if (allowComments && hasSeparation && ch === 35) do
			ch = state.input.charCodeAt(++state.position);
		while (!isEol(ch) && ch !== 0);
		if (!isEol(ch)) break;
		consumeLineBreak(state);
		lineBreaks++;
		hasSeparation = true;
		ch = state.input.charCodeAt(state.position);
		while (ch === 32) {
			state.lineIndent++;
			ch = state.input.charCodeAt(++state.position);
		}
	}
	return lineBreaks;
}
function testDocumentSeparator(state, position = state.position) {
	const ch = state.input.charCodeAt(position);
	if ((ch === 45 || ch === 46) && ch === state.input.charCodeAt(position + 1) && ch === state.input.charCodeAt(position + 2)) {
		const following = state.input.charCodeAt(position + 3);
		return following === 0 || isWsOrEol(following);
	}
	return false;
}
function skipByteOrderMark(state) {
	if (state.position === state.lineStart && state.input.charCodeAt(state.position) === 65279) {
		state.position++;
		state.lineStart = state.position;
	}
}
function testDocumentBoundary(state) {
	if (state.position !== state.lineStart) return false;
	if (testDocumentSeparator(state)) return true;
	if (state.input.charCodeAt(state.position) !== 65279) return false;
	const snapshot = snapshotState(state);
	skipByteOrderMark(state);
	skipSeparationSpace(state, true);
	const ch = state.input.charCodeAt(state.position);
	const result = state.position === state.lineStart && (ch === 37 || ch === 45 && testDocumentSeparator(state));
	restoreState(state, snapshot);
	return result;
}
function skipUntilLineEnd(state) {
	let ch = state.input.charCodeAt(state.position);
	while (ch !== 0 && !isEol(ch)) ch = state.input.charCodeAt(++state.position);
}
function checkPrintable(state, start, end) {
	const match = PATTERN_NON_PRINTABLE.exec(state.input.slice(start, end));
	if (match !== null) {
		state.position = start + match.index + match[0].length - 1;
		throwError(state, "the stream contains non-printable characters");
	}
}
function readTagProperty(state, props, inFlow) {
	if (state.input.charCodeAt(state.position) !== 33) return false;
	if (props.tagStart !== NO_RANGE$1) throwError(state, "duplication of a tag property");
	const start = state.position;
	let isVerbatim = false;
	let isNamed = false;
	let tagHandle = "!";
	let ch = state.input.charCodeAt(++state.position);
	if (ch === 60) {
		isVerbatim = true;
		ch = state.input.charCodeAt(++state.position);
	} else if (ch === 33) {
		isNamed = true;
		tagHandle = "!!";
		ch = state.input.charCodeAt(++state.position);
	}
	let suffixStart = state.position;
	let tagName;
	if (isVerbatim) {
		while (ch !== 0 && ch !== 62) ch = state.input.charCodeAt(++state.position);
		if (ch !== 62) throwError(state, "unexpected end of the stream within a verbatim tag");
		tagName = state.input.slice(suffixStart, state.position);
		state.position++;
	} else {
		while (ch !== 0 && !isWsOrEol(ch) && !(inFlow && isFlowIndicator(ch))) {
			if (ch === 33) {
				if (!isNamed) {
					tagHandle = state.input.slice(suffixStart - 1, state.position + 1);
					if (!PATTERN_TAG_HANDLE.test(tagHandle)) throwError(state, "named tag handle cannot contain such characters");
					isNamed = true;
					suffixStart = state.position + 1;
				} else throwError(state, "tag suffix cannot contain exclamation marks");
			}
			ch = state.input.charCodeAt(++state.position);
		}
		tagName = state.input.slice(suffixStart, state.position);
		if (PATTERN_FLOW_INDICATORS.test(tagName)) throwError(state, "tag suffix cannot contain flow indicator characters");
	}
	if (tagName && !(isVerbatim ? PATTERN_TAG_URI.test(tagName) : PATTERN_TAG_SUFFIX.test(tagName))) throwError(state, `tag name cannot contain such characters: ${tagName}`);
	if (!isVerbatim && tagHandle !== "!" && tagHandle !== "!!" && !HAS_OWN.call(state.tagHandlers, tagHandle)) throwError(state, `undeclared tag handle "${tagHandle}"`);
	props.tagStart = start;
	props.tagEnd = state.position;
	return true;
}
function readAnchorProperty(state, props) {
	if (state.input.charCodeAt(state.position) !== 38) return false;
	if (props.anchorStart !== NO_RANGE$1) throwError(state, "duplication of an anchor property");
	state.position++;
	const start = state.position;
	while (state.input.charCodeAt(state.position) !== 0 && !isWsOrEol(state.input.charCodeAt(state.position)) && !isFlowIndicator(state.input.charCodeAt(state.position))) state.position++;
	if (state.position === start) throwError(state, "name of an anchor node must contain at least one character");
	props.anchorStart = start;
	props.anchorEnd = state.position;
	return true;
}
function readAlias(state, props) {
	if (state.input.charCodeAt(state.position) !== 42) return false;
	if (props.anchorStart !== NO_RANGE$1 || props.tagStart !== NO_RANGE$1) throwError(state, "alias node should not have any properties");
	state.position++;
	const start = state.position;
	while (state.input.charCodeAt(state.position) !== 0 && !isWsOrEol(state.input.charCodeAt(state.position)) && !isFlowIndicator(state.input.charCodeAt(state.position))) state.position++;
	if (state.position === start) throwError(state, "name of an alias node must contain at least one character");
	addAliasEvent(state, start, state.position);
	return true;
}
function readFlowScalarBreak(state, nodeIndent) {
	skipSeparationSpace(state, false);
	if (state.lineIndent < nodeIndent) throwError(state, "deficient indentation");
}
function readSingleQuotedScalar(state, nodeIndent, props) {
	if (state.input.charCodeAt(state.position) !== 39) return false;
	state.position++;
	const start = state.position;
	let simple = true;
	while (state.input.charCodeAt(state.position) !== 0) {
		const ch = state.input.charCodeAt(state.position);
		if (ch === 39) {
			if (state.input.charCodeAt(state.position + 1) === 39) {
				simple = false;
				state.position += 2;
				continue;
			}
			const end = state.position;
			state.position++;
			addScalarEvent(state, start, end, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, SCALAR_STYLE.SINGLE_QUOTED, CHOMPING_MODE.CLIP, -1, simple);
			return true;
		}
		if (isEol(ch)) {
			simple = false;
			readFlowScalarBreak(state, nodeIndent);
		} else if (state.position === state.lineStart && testDocumentSeparator(state)) throwError(state, "unexpected end of the document within a single quoted scalar");
		else if (ch !== 9 && ch < 32) throwError(state, "expected valid JSON character");
		else state.position++;
	}
	throwError(state, "unexpected end of the stream within a single quoted scalar");
}
function readDoubleQuotedScalar(state, nodeIndent, props) {
	if (state.input.charCodeAt(state.position) !== 34) return false;
	state.position++;
	const start = state.position;
	let simple = true;
	while (state.input.charCodeAt(state.position) !== 0) {
		const ch = state.input.charCodeAt(state.position);
		if (ch === 34) {
			const end = state.position;
			state.position++;
			addScalarEvent(state, start, end, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, SCALAR_STYLE.DOUBLE_QUOTED, CHOMPING_MODE.CLIP, -1, simple);
			return true;
		}
		if (ch === 92) {
			simple = false;
			const escaped = state.input.charCodeAt(++state.position);
			if (isEol(escaped)) readFlowScalarBreak(state, nodeIndent);
			else if (isSimpleEscape(escaped)) state.position++;
			else {
				let hexLength = escapedHexLen(escaped);
				if (hexLength === 0) throwError(state, "unknown escape sequence");
				while (hexLength-- > 0) {
					state.position++;
					if (fromHexCode(state.input.charCodeAt(state.position)) < 0) throwError(state, "expected hexadecimal character");
				}
				state.position++;
			}
		} else if (isEol(ch)) {
			simple = false;
			readFlowScalarBreak(state, nodeIndent);
		} else if (state.position === state.lineStart && testDocumentSeparator(state)) throwError(state, "unexpected end of the document within a double quoted scalar");
		else if (ch !== 9 && ch < 32) throwError(state, "expected valid JSON character");
		else state.position++;
	}
	throwError(state, "unexpected end of the stream within a double quoted scalar");
}
function readBlockScalar(state, parentIndent, props) {
	const ch = state.input.charCodeAt(state.position);
	let chomping = CHOMPING_MODE.CLIP;
	let indent = -1;
	let detectedIndent = false;
	if (ch !== 124 && ch !== 62) return false;
	const style = ch === 124 ? SCALAR_STYLE.LITERAL_BLOCK : SCALAR_STYLE.FOLDED_BLOCK;
	state.position++;
	while (state.input.charCodeAt(state.position) !== 0) {
		const current = state.input.charCodeAt(state.position);
		const digit = fromDecimalCode(current);
		if (current === 43 || current === 45) {
			if (chomping !== CHOMPING_MODE.CLIP) throwError(state, "repeat of a chomping mode identifier");
			chomping = current === 43 ? CHOMPING_MODE.KEEP : CHOMPING_MODE.STRIP;
			state.position++;
		} else if (digit >= 0) {
			if (digit === 0) throwError(state, "bad explicit indentation width of a block scalar; it cannot be less than one");
			if (detectedIndent) throwError(state, "repeat of an indentation width identifier");
			indent = parentIndent + digit - 1;
			detectedIndent = true;
			state.position++;
		} else break;
	}
	let hadWhitespace = false;
	while (isWhiteSpace(state.input.charCodeAt(state.position))) {
		hadWhitespace = true;
		state.position++;
	}
	if (hadWhitespace && state.input.charCodeAt(state.position) === 35) skipUntilLineEnd(state);
	if (isEol(state.input.charCodeAt(state.position))) consumeLineBreak(state);
	else if (state.input.charCodeAt(state.position) !== 0) throwError(state, "a line break is expected");
	let contentIndent = detectedIndent ? indent : -1;
	let maxLeadingIndent = 0;
	const valueStart = state.position;
	let valueEnd = state.position;
	while (state.input.charCodeAt(state.position) !== 0) {
		const linePosition = state.position;
		let column = 0;
		while (state.input.charCodeAt(linePosition + column) === 32) column++;
		const first = state.input.charCodeAt(linePosition + column);
		if (first === 0) {
			if (contentIndent >= 0) {
				if (column > contentIndent) valueEnd = linePosition + column;
			} else if (column > 0) valueEnd = linePosition + column;
			break;
		}
		if (testDocumentBoundary(state)) break;
		if (!detectedIndent && contentIndent === -1 && isEol(first)) maxLeadingIndent = Math.max(maxLeadingIndent, column);
		if (!detectedIndent && contentIndent === -1 && !isEol(first)) {
			if (first === 9 && column < parentIndent) {
				state.position = linePosition + column;
				throwError(state, "tab characters must not be used in indentation");
			}
			if (column >= parentIndent && column < maxLeadingIndent) {
				state.position = linePosition + column;
				throwError(state, "bad indentation of a mapping entry");
			}
		}
		if (contentIndent === -1 && first !== 0 && !isEol(first) && column < parentIndent) {
			state.lineIndent = column;
			state.position = linePosition + column;
			break;
		}
		if (!detectedIndent && first !== 0 && !isEol(first) && contentIndent === -1) contentIndent = column;
		const requiredIndent = contentIndent === -1 ? parentIndent + 1 : contentIndent;
		if (first !== 0 && !isEol(first) && column < requiredIndent) {
			state.lineIndent = column;
			state.position = linePosition + column;
			break;
		}
		skipUntilLineEnd(state);
		valueEnd = state.position;
		if (isEol(state.input.charCodeAt(state.position))) {
			consumeLineBreak(state);
			valueEnd = state.position;
		}
	}
	checkPrintable(state, valueStart, valueEnd);
	addScalarEvent(state, valueStart, valueEnd, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, style, chomping, contentIndent);
	return true;
}
function canStartPlainScalar(state, nodeContext) {
	const ch = state.input.charCodeAt(state.position);
	const inFlow = nodeContext === CONTEXT_FLOW_IN;
	if (ch === 0 || isWsOrEol(ch) || ch === 35 || ch === 38 || ch === 42 || ch === 33 || ch === 124 || ch === 62 || ch === 39 || ch === 34 || ch === 37 || ch === 64 || ch === 96 || isFlowIndicator(ch)) return false;
	if (ch === 63 || ch === 45) {
		const following = state.input.charCodeAt(state.position + 1);
		if (isWsOrEolOrEnd(following) || inFlow && isFlowIndicator(following)) return false;
	}
	return true;
}
function readPlainScalar(state, nodeIndent, nodeContext, props) {
	if (!canStartPlainScalar(state, nodeContext)) return false;
	const start = state.position;
	let end = state.position;
	let ch = state.input.charCodeAt(state.position);
	const inFlow = nodeContext === CONTEXT_FLOW_IN;
	let multiline = false;
	while (ch !== 0) {
		if (testDocumentBoundary(state)) break;
		if (ch === 58) {
			const following = state.input.charCodeAt(state.position + 1);
			if (isWsOrEolOrEnd(following) || inFlow && isFlowIndicator(following)) break;
		} else if (ch === 35) {
			if (isWsOrEol(state.input.charCodeAt(state.position - 1))) break;
		} else if (inFlow && isFlowIndicator(ch)) break;
		else if (isEol(ch)) {
			const savedPosition = state.position;
			const savedLine = state.line;
			const savedLineStart = state.lineStart;
			const savedLineIndent = state.lineIndent;
			skipSeparationSpace(state, false);
			if (state.lineIndent >= nodeIndent) {
				multiline = true;
				ch = state.input.charCodeAt(state.position);
				continue;
			}
			state.position = savedPosition;
			state.line = savedLine;
			state.lineStart = savedLineStart;
			state.lineIndent = savedLineIndent;
			break;
		}
		if (!isWhiteSpace(ch)) end = state.position + 1;
		ch = state.input.charCodeAt(++state.position);
	}
	if (end === start) return false;
	checkPrintable(state, start, end);
	addScalarEvent(state, start, end, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, SCALAR_STYLE.PLAIN, CHOMPING_MODE.CLIP, -1, !multiline);
	return true;
}
function skipFlowSeparationSpace(state, nodeIndent) {
	const startLine = state.line;
	skipSeparationSpace(state, true);
	if (state.line > startLine && state.lineIndent < nodeIndent || state.firstTabInLine !== -1 && state.lineIndent < nodeIndent) throwError(state, "deficient indentation");
}
function readFlowCollection(state, nodeIndent, props) {
	const ch = state.input.charCodeAt(state.position);
	const isMapping = ch === 123;
	const start = state.position;
	let readNext = true;
	if (ch !== 91 && ch !== 123) return false;
	const terminator = isMapping ? 125 : 93;
	if (isMapping) addMappingEvent(state, start, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, COLLECTION_STYLE.FLOW);
	else addSequenceEvent(state, start, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, COLLECTION_STYLE.FLOW);
	state.position++;
	while (state.input.charCodeAt(state.position) !== 0) {
		skipFlowSeparationSpace(state, nodeIndent);
		let ch = state.input.charCodeAt(state.position);
		if (ch === terminator) {
			state.position++;
			addPopEvent(state);
			return true;
		} else if (!readNext) throwError(state, "missed comma between flow collection entries");
		else if (ch === 44) throwError(state, "expected the node content, but found ','");
		let isPair = false;
		let isExplicitPair = false;
		if (ch === 63 && isWsOrEol(state.input.charCodeAt(state.position + 1))) {
			isPair = isExplicitPair = true;
			state.position += 1;
			skipFlowSeparationSpace(state, nodeIndent);
		}
		const entryLine = state.line;
		const entryStart = snapshotState(state);
		const keyWasRead = parseNode(state, nodeIndent, CONTEXT_FLOW_IN, false, true);
		skipFlowSeparationSpace(state, nodeIndent);
		ch = state.input.charCodeAt(state.position);
		if ((isMapping || isExplicitPair || state.line === entryLine) && ch === 58) {
			isPair = true;
			state.position++;
			skipFlowSeparationSpace(state, nodeIndent);
			if (!isMapping) {
				insertFlowPairMappingEvent(state, entryStart);
				if (!keyWasRead) addEmptyScalarEvent(state);
			} else if (!keyWasRead) addEmptyScalarEvent(state);
			if (!parseNode(state, nodeIndent, CONTEXT_FLOW_IN, false, true)) addEmptyScalarEvent(state);
			skipFlowSeparationSpace(state, nodeIndent);
			if (!isMapping) addPopEvent(state);
		} else if (isMapping && isPair) {
			if (!keyWasRead) addEmptyScalarEvent(state);
			addEmptyScalarEvent(state);
		} else if (isMapping) addEmptyScalarEvent(state);
		else if (isPair) {
			insertFlowPairMappingEvent(state, entryStart);
			if (!keyWasRead) addEmptyScalarEvent(state);
			addEmptyScalarEvent(state);
			addPopEvent(state);
		}
		ch = state.input.charCodeAt(state.position);
		if (ch === 44) {
			readNext = true;
			state.position++;
		} else readNext = false;
	}
	throwError(state, "unexpected end of the stream within a flow collection");
}
function readBlockSequence(state, nodeIndent, props) {
	if (state.firstTabInLine !== -1 || state.input.charCodeAt(state.position) !== 45 || !isWsOrEolOrEnd(state.input.charCodeAt(state.position + 1))) return false;
	addSequenceEvent(state, state.position, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, COLLECTION_STYLE.BLOCK);
	while (state.input.charCodeAt(state.position) === 45 && isWsOrEolOrEnd(state.input.charCodeAt(state.position + 1))) {
		if (state.firstTabInLine !== -1) {
			state.position = state.firstTabInLine;
			throwError(state, "tab characters must not be used in indentation");
		}
		const entryLine = state.line;
		state.position++;
		const hadBreak = skipSeparationSpace(state, true) > 0;
		if (state.firstTabInLine !== -1 && state.input.charCodeAt(state.position) === 45 && isWsOrEolOrEnd(state.input.charCodeAt(state.position + 1))) throwError(state, "bad indentation of a sequence entry");
		if (hadBreak && state.lineIndent <= nodeIndent) addEmptyScalarEvent(state);
		else parseNode(state, nodeIndent, CONTEXT_BLOCK_IN, false, true);
		skipSeparationSpace(state, true);
		if (state.lineIndent < nodeIndent || state.position >= state.length) break;
		if (state.lineIndent > nodeIndent) throwError(state, "bad indentation of a sequence entry");
		if (state.line === entryLine && state.input.charCodeAt(state.position) === 45 && isWsOrEolOrEnd(state.input.charCodeAt(state.position + 1))) throwError(state, "bad indentation of a sequence entry");
	}
	addPopEvent(state);
	return true;
}
function readBlockMapping(state, nodeIndent, flowIndent, props) {
	let atExplicitKey = false;
	let detected = false;
	let mappingOpened = false;
	let pendingExplicitKey = false;
	if (state.firstTabInLine !== -1) return false;
	let ch = state.input.charCodeAt(state.position);
	while (ch !== 0) {
		if (!atExplicitKey && state.firstTabInLine !== -1) {
			state.position = state.firstTabInLine;
			throwError(state, "tab characters must not be used in indentation");
		}
		const following = state.input.charCodeAt(state.position + 1);
		const entryLine = state.line;
		if ((ch === 63 || ch === 58) && isWsOrEolOrEnd(following)) {
			if (!mappingOpened) {
				addMappingEvent(state, state.position, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, COLLECTION_STYLE.BLOCK);
				mappingOpened = true;
			}
			if (ch === 63) {
				if (atExplicitKey) addEmptyScalarEvent(state);
				detected = true;
				atExplicitKey = true;
			} else if (atExplicitKey) atExplicitKey = false;
			else {
				addEmptyScalarEvent(state);
				detected = true;
				atExplicitKey = false;
			}
			state.position += 1;
			pendingExplicitKey = true;
		} else {
			if (atExplicitKey) {
				addEmptyScalarEvent(state);
				atExplicitKey = false;
			}
			const beforeKey = snapshotState(state);
			if (!parseNode(state, flowIndent, CONTEXT_FLOW_OUT, false, true)) break;
			if (state.line === entryLine) {
				ch = state.input.charCodeAt(state.position);
				while (isWhiteSpace(ch)) ch = state.input.charCodeAt(++state.position);
				if (ch === 58) {
					ch = state.input.charCodeAt(++state.position);
					if (!isWsOrEolOrEnd(ch)) throwError(state, "a whitespace character is expected after the key-value separator within a block mapping");
					if (!mappingOpened) {
						state.events.splice(beforeKey.eventsLength, 0, {
							type: EVENT_ID.MAPPING,
							start: beforeKey.position,
							anchorStart: props.anchorStart,
							anchorEnd: props.anchorEnd,
							tagStart: props.tagStart,
							tagEnd: props.tagEnd,
							style: COLLECTION_STYLE.BLOCK
						});
						mappingOpened = true;
					}
					detected = true;
					atExplicitKey = false;
					pendingExplicitKey = false;
				} else if (detected) throwError(state, "expected ':' after a mapping key");
				else {
					if (props.anchorStart !== NO_RANGE$1 || props.tagStart !== NO_RANGE$1) {
						restoreState(state, beforeKey);
						return false;
					}
					return true;
				}
			} else if (detected) throwError(state, "can not read a block mapping entry; a multiline key may not be an implicit key");
			else {
				if (props.anchorStart !== NO_RANGE$1 || props.tagStart !== NO_RANGE$1) {
					restoreState(state, beforeKey);
					return false;
				}
				return true;
			}
		}
		if (parseNode(state, nodeIndent, CONTEXT_BLOCK_OUT, true, pendingExplicitKey)) pendingExplicitKey = false;
		if (!atExplicitKey) {
			if (pendingExplicitKey) {
				addEmptyScalarEvent(state);
				pendingExplicitKey = false;
			}
		}
		skipSeparationSpace(state, true);
		ch = state.input.charCodeAt(state.position);
		if ((state.line === entryLine || state.lineIndent > nodeIndent) && ch !== 0) throwError(state, "bad indentation of a mapping entry");
		else if (state.lineIndent < nodeIndent) break;
	}
	if (!detected) return false;
	if (atExplicitKey) addEmptyScalarEvent(state);
	if (mappingOpened) addPopEvent(state);
	return true;
}
function parseNode(state, parentIndent, nodeContext, allowToSeek, allowCompact, allowPropertyMapping = true) {
	if (state.depth >= state.maxDepth) throwError(state, `nesting exceeded maxDepth (${state.maxDepth})`);
	state.depth++;
	let indentStatus = 1;
	let atNewLine = false;
	let hasContent = false;
	let propertyStart = null;
	const props = emptyProperties();
	let allowBlockScalars = nodeContext === CONTEXT_BLOCK_OUT || nodeContext === CONTEXT_BLOCK_IN;
	let allowBlockCollections = allowBlockScalars;
	const allowBlockStyles = allowBlockScalars;
	if (allowToSeek && skipSeparationSpace(state, true)) {
		atNewLine = true;
		if (state.lineIndent > parentIndent) indentStatus = 1;
		else if (state.lineIndent === parentIndent) indentStatus = 0;
		else indentStatus = -1;
	}
	if (indentStatus === 1) while (true) {
		const ch = state.input.charCodeAt(state.position);
		const propertyState = snapshotState(state);
		if (atNewLine && indentStatus !== 1 && (ch === 33 || ch === 38)) break;
		if (atNewLine && allowBlockStyles && (props.tagStart !== NO_RANGE$1 || props.anchorStart !== NO_RANGE$1) && (ch === 33 || ch === 38)) {
			const fallbackState = snapshotState(state);
			const flowIndent = parentIndent + 1;
			if (readBlockMapping(state, state.position - state.lineStart, flowIndent, props) && state.events[fallbackState.eventsLength]?.type === EVENT_ID.MAPPING) {
				state.depth--;
				return true;
			}
			restoreState(state, fallbackState);
		}
		if (atNewLine && (ch === 33 && props.tagStart !== NO_RANGE$1 || ch === 38 && props.anchorStart !== NO_RANGE$1)) break;
		if (!readTagProperty(state, props, nodeContext === CONTEXT_FLOW_IN) && !readAnchorProperty(state, props)) break;
		if (propertyStart === null) propertyStart = propertyState;
		if (skipSeparationSpace(state, true)) {
			atNewLine = true;
			allowBlockCollections = allowBlockStyles;
			if (state.lineIndent > parentIndent) indentStatus = 1;
			else if (state.lineIndent === parentIndent) indentStatus = 0;
			else indentStatus = -1;
		} else allowBlockCollections = false;
	}
	if (allowBlockCollections) allowBlockCollections = atNewLine || allowCompact;
	if (indentStatus === 1 || nodeContext === CONTEXT_BLOCK_OUT) {
		const flowIndent = nodeContext === CONTEXT_FLOW_IN || nodeContext === CONTEXT_FLOW_OUT ? parentIndent : parentIndent + 1;
		const blockIndent = state.position - state.lineStart;
		if (indentStatus === 1) {
			if (allowBlockCollections && (readBlockSequence(state, blockIndent, props) || readBlockMapping(state, blockIndent, flowIndent, props)) || readFlowCollection(state, flowIndent, props)) hasContent = true;
			else {
				const ch = state.input.charCodeAt(state.position);
				if (propertyStart !== null && allowPropertyMapping && allowBlockStyles && !allowBlockCollections && ch !== 124 && ch !== 62) {
					const fallbackState = snapshotState(state);
					const propertyIndent = propertyStart.position - propertyStart.lineStart;
					restoreState(state, propertyStart);
					if (readBlockMapping(state, propertyIndent, flowIndent, emptyProperties()) && state.events[fallbackState.eventsLength]?.type === EVENT_ID.MAPPING) hasContent = true;
					else restoreState(state, fallbackState);
				}
				if (!hasContent && (allowBlockScalars && readBlockScalar(state, flowIndent, props) || readSingleQuotedScalar(state, flowIndent, props) || readDoubleQuotedScalar(state, flowIndent, props) || readAlias(state, props) || readPlainScalar(state, flowIndent, nodeContext, props))) hasContent = true;
			}
		} else if (indentStatus === 0) hasContent = allowBlockCollections && readBlockSequence(state, blockIndent, props);
	}
	allowBlockScalars = allowBlockScalars && !hasContent;
	if (!hasContent && (props.anchorStart !== NO_RANGE$1 || props.tagStart !== NO_RANGE$1 || allowBlockScalars)) {
		addScalarEvent(state, NO_RANGE$1, NO_RANGE$1, props.anchorStart, props.anchorEnd, props.tagStart, props.tagEnd, SCALAR_STYLE.PLAIN);
		hasContent = true;
	}
	state.depth--;
	return hasContent || props.anchorStart !== NO_RANGE$1 || props.tagStart !== NO_RANGE$1;
}
function readDirective(state) {
	if (state.lineIndent > 0 || state.input.charCodeAt(state.position) !== 37) return false;
	state.position++;
	const nameStart = state.position;
	while (state.input.charCodeAt(state.position) !== 0 && !isWsOrEol(state.input.charCodeAt(state.position))) state.position++;
	const name = state.input.slice(nameStart, state.position);
	const args = [];
	if (name.length === 0) throwError(state, "directive name must not be less than one character in length");
	while (state.input.charCodeAt(state.position) !== 0 && !isEol(state.input.charCodeAt(state.position))) {
		while (isWhiteSpace(state.input.charCodeAt(state.position))) state.position++;
		if (state.input.charCodeAt(state.position) === 35 || isEol(state.input.charCodeAt(state.position)) || state.input.charCodeAt(state.position) === 0) break;
		const start = state.position;
		while (state.input.charCodeAt(state.position) !== 0 && !isWsOrEol(state.input.charCodeAt(state.position))) state.position++;
		args.push(state.input.slice(start, state.position));
	}
	if (isEol(state.input.charCodeAt(state.position))) consumeLineBreak(state);
	if (name === "YAML") {
		if (state.directives.some((directive) => directive.kind === "yaml")) throwError(state, "duplication of %YAML directive");
		if (args.length !== 1) throwError(state, "YAML directive accepts exactly one argument");
		const match = /^([0-9]+)\.([0-9]+)$/.exec(args[0]);
		if (match === null) throwError(state, "ill-formed argument of the YAML directive");
		if (parseInt(match[1], 10) !== 1) throwError(state, "unacceptable YAML version of the document");
		state.directives.push({
			kind: "yaml",
			version: args[0]
		});
	} else if (name === "TAG") {
		if (args.length !== 2) throwError(state, "TAG directive accepts exactly two arguments");
		const [handle, prefix] = args;
		if (!PATTERN_TAG_HANDLE.test(handle)) throwError(state, "ill-formed tag handle (first argument) of the TAG directive");
		if (HAS_OWN.call(state.tagHandlers, handle)) throwError(state, `there is a previously declared suffix for "${handle}" tag handle`);
		if (!PATTERN_TAG_PREFIX.test(prefix)) throwError(state, "ill-formed tag prefix (second argument) of the TAG directive");
		state.tagHandlers[handle] = prefix;
		state.directives.push({
			kind: "tag",
			handle,
			prefix
		});
	}
	return true;
}
function readDocument(state) {
	state.directives = [];
	state.tagHandlers = Object.create(null);
	let hasDirectives = false;
	skipSeparationSpace(state, true);
	while (readDirective(state)) {
		hasDirectives = true;
		skipSeparationSpace(state, true);
	}
	let explicitStart = false;
	let explicitEnd = false;
	let allowCompact = true;
	if (state.lineIndent === 0 && state.input.charCodeAt(state.position) === 45 && state.input.charCodeAt(state.position + 1) === 45 && state.input.charCodeAt(state.position + 2) === 45 && isWsOrEolOrEnd(state.input.charCodeAt(state.position + 3))) {
		explicitStart = true;
		const markerLine = state.line;
		state.position += 3;
		skipSeparationSpace(state, true);
		allowCompact = state.line > markerLine;
	} else if (hasDirectives) throwError(state, "directives end mark is expected");
	const documentEventIndex = state.events.length;
	if (!explicitStart && state.position === state.lineStart && state.input.charCodeAt(state.position) === 46 && testDocumentSeparator(state)) {
		state.position += 3;
		skipSeparationSpace(state, true);
		return;
	}
	addDocumentEvent(state, explicitStart, false);
	if (!parseNode(state, state.lineIndent - 1, CONTEXT_BLOCK_OUT, false, allowCompact, allowCompact)) addEmptyScalarEvent(state);
	skipSeparationSpace(state, true);
	if (state.position === state.lineStart && testDocumentSeparator(state)) {
		explicitEnd = state.input.charCodeAt(state.position) === 46;
		if (explicitEnd) {
			const markerLine = state.line;
			state.position += 3;
			skipSeparationSpace(state, true);
			if (state.line === markerLine && state.position < state.length) throwError(state, "end of the stream or a document separator is expected");
		}
	}
	const documentEvent = state.events[documentEventIndex];
	if (documentEvent?.type === EVENT_ID.DOCUMENT) documentEvent.explicitEnd = explicitEnd;
	addPopEvent(state);
	if (!explicitEnd && state.position < state.length && !testDocumentBoundary(state)) throwError(state, "end of the stream or a document separator is expected");
}
/**
* Parses YAML into a flat event stream referencing source text by offsets.
*
* @category Events
*/
function parseEvents(input, options) {
	const length = input.length;
	const state = {
		...DEFAULT_PARSER_OPTIONS,
		...options,
		input: `${input}\0`,
		length,
		position: 0,
		line: 0,
		lineStart: 0,
		lineIndent: 0,
		firstTabInLine: -1,
		depth: 0,
		directives: [],
		tagHandlers: Object.create(null),
		events: []
	};
	const nullpos = input.indexOf("\0");
	if (nullpos !== -1) YAMLException.throwAt(input, nullpos, "null byte is not allowed in input", state.filename);
	while (state.position < state.length) {
		skipByteOrderMark(state);
		skipSeparationSpace(state, true);
		if (state.position >= state.length) break;
		const documentStart = state.position;
		readDocument(state);
		if (state.position === documentStart)
 /* c8 ignore next */
		throwError(state, "can not read a document");
	}
	return state.events;
}
//#endregion
//#region src/load.ts
var DEFAULT_LOAD_OPTIONS = {
	...DEFAULT_PARSER_OPTIONS,
	...DEFAULT_CONSTRUCTOR_OPTIONS
};
function loadDocuments(input, options = {}) {
	const opts = {
		...DEFAULT_LOAD_OPTIONS,
		...options
	};
	const source = String(input);
	const PARSER_OPT_KEYS = Object.keys(DEFAULT_PARSER_OPTIONS);
	const CONSTRUCTOR_OPT_KEYS = Object.keys(DEFAULT_CONSTRUCTOR_OPTIONS);
	return constructFromEvents(parseEvents(source, pick(opts, PARSER_OPT_KEYS)), {
		...pick(opts, CONSTRUCTOR_OPT_KEYS),
		source
	});
}
function loadAll(input, iteratorOrOptions, options) {
	let iterator = null;
	if (typeof iteratorOrOptions === "function") iterator = iteratorOrOptions;
	else if (iteratorOrOptions !== null && typeof iteratorOrOptions === "object") options = iteratorOrOptions;
	const documents = loadDocuments(input, options);
	if (iterator === null) return documents;
	for (const document of documents) iterator(document);
}
/**
* Parses `string` as a single YAML document. Throws {@link YAMLException} on
* error. This function does not understand multi-document or empty sources; it
* throws an exception on those.
*
* > [!NOTE]
* > 1. When processing untrusted input, see the
* >    [security considerations](../docs/safety.md).
* > 2. All exceptions MUST be caught, not just {@link YAMLException}.
* > 3. The default {@link CORE_SCHEMA} comes without the `!!merge` tag. You can
* >    easily enable it if needed.
* > 4. The default {@link mapTag} is `{}`-object based, with known limitations
* >    (see description). For full compatibility use {@link realMapTag}
* >    instead (it uses native JS `Map`).
*
* @example
* Enable {@link mergeTag} and {@link realMapTag}:
*
* ```javascript
* import { load, CORE_SCHEMA, mergeTag, realMapTag } from 'js-yaml'
*
* try {
*   load(data, { schema: CORE_SCHEMA.withTags(mergeTag, realMapTag) })
* } catch (e) {
*   console.error(e)
* }
* ```
*
* @category Main
*/
function load(input, options) {
	const documents = loadDocuments(input, options);
	if (documents.length === 0) throw new YAMLException("expected a document, but the input is empty");
	if (documents.length === 1) return documents[0];
	throw new YAMLException("expected a single document in the stream, but found more");
}
//#endregion
//#region src/ast/from_js.ts
var INVALID = Symbol("INVALID");
function buildRepresentTypes(schema) {
	const defaultTags = new Set([
		schema.defaultScalarTag,
		schema.defaultSequenceTag,
		schema.defaultMappingTag
	].filter((t) => t !== void 0));
	const implicitScalars = schema.implicitScalarTags;
	const explicitTags = schema.tags.filter((t) => !(t.nodeKind === "scalar" && t.implicit) && !defaultTags.has(t));
	const defaultTagsLast = schema.tags.filter((t) => defaultTags.has(t));
	return [
		...implicitScalars.map((tag) => ({
			tag,
			implicitTag: true
		})),
		...explicitTags.map((tag) => ({
			tag,
			implicitTag: false
		})),
		...defaultTagsLast.map((tag) => ({
			tag,
			implicitTag: true
		}))
	];
}
function matchTag(state, object) {
	for (let index = 0, length = state.representTypes.length; index < length; index += 1) {
		const { tag, implicitTag } = state.representTypes[index];
		if (tag.identify(object)) {
			let tagName;
			if (tag.matchByTagPrefix) tagName = tag.representTagName(object);
			else tagName = tag.tagName;
			return {
				tag,
				tagName,
				implicitTag
			};
		}
	}
	return null;
}
function build(state, object) {
	if (!state.noRefs && object !== null && typeof object === "object") {
		const existing = state.refs.get(object);
		if (existing) {
			if (existing.anchor === void 0) existing.anchor = `ref_${state.refCounter++}`;
			return {
				kind: "alias",
				anchor: existing.anchor
			};
		}
	}
	const matched = matchTag(state, object);
	if (!matched) {
		if (object === void 0) return INVALID;
		if (state.skipInvalid) return INVALID;
		throw new YAMLException(`unacceptable kind of an object to dump ${Object.prototype.toString.call(object)}`);
	}
	const { tag, tagName, implicitTag } = matched;
	const nodeTagName = implicitTag ? tagName : tagNameShort(tagName);
	if (tag.nodeKind === "scalar") return {
		kind: "scalar",
		tag: nodeTagName,
		tagged: !implicitTag,
		style: SCALAR_STYLE.PLAIN,
		value: tag.represent(object)
	};
	if (tag.nodeKind === "sequence") {
		const container = tag.represent(object);
		const node = {
			kind: "sequence",
			tag: nodeTagName,
			tagged: !implicitTag,
			style: COLLECTION_STYLE.BLOCK,
			items: []
		};
		if (!state.noRefs) state.refs.set(object, node);
		for (let index = 0, length = container.length; index < length; index += 1) {
			let item = build(state, container[index]);
			if (item === INVALID && container[index] === void 0) item = build(state, null);
			if (item === INVALID) continue;
			node.items.push(item);
		}
		return node;
	}
	const map = tag.represent(object);
	const node = {
		kind: "mapping",
		tag: nodeTagName,
		tagged: !implicitTag,
		style: COLLECTION_STYLE.BLOCK,
		items: []
	};
	if (!state.noRefs) state.refs.set(object, node);
	for (const [objectKey, objectValue] of map) {
		const key = build(state, objectKey);
		if (key === INVALID) continue;
		const value = build(state, objectValue);
		if (value === INVALID) continue;
		node.items.push({
			key,
			value
		});
	}
	return node;
}
/**
* Convert JS object to AST. A JS value is one YAML document. An unrepresentable
* root becomes an empty document, which the presenter renders as an empty
* string.
*
* @category AST
*/
function jsToAst(input, schema, options = {}) {
	const root = build({
		representTypes: buildRepresentTypes(schema),
		noRefs: options.noRefs ?? false,
		skipInvalid: options.skipInvalid ?? false,
		refs: /* @__PURE__ */ new Map(),
		refCounter: 0
	}, input);
	return [{
		contents: root === INVALID ? null : root,
		directives: []
	}];
}
//#endregion
//#region src/ast/visit.ts
/**
* Return from a visitor to stop the whole traversal.
*
* @category AST
*/
var VISIT_BREAK = Symbol("visit:break");
/**
* Return from a visitor to skip the current node's children.
*
* @category AST
*/
var VISIT_SKIP = Symbol("visit:skip");
function visitNode(node, visitor, ctx) {
	const control = visitor(node, ctx);
	if (control === VISIT_BREAK) return true;
	if (control === VISIT_SKIP) return false;
	const depth = ctx.depth + 1;
	switch (node.kind) {
		case "sequence":
			for (const item of node.items) if (visitNode(item, visitor, {
				depth,
				parent: node,
				isKey: false
			})) return true;
			break;
		case "mapping": for (const { key, value } of node.items) {
			if (visitNode(key, visitor, {
				depth,
				parent: node,
				isKey: true
			})) return true;
			if (visitNode(value, visitor, {
				depth,
				parent: node,
				isKey: false
			})) return true;
		}
	}
	return false;
}
/**
* Walk every node in the documents, calling {@link Visitor} once per
* node (pre-order).
*
* @category AST
*/
function visit(documents, visitor) {
	for (const doc of documents) if (doc.contents && visitNode(doc.contents, visitor, {
		depth: 0,
		parent: null,
		isKey: false
	})) return;
}
//#endregion
//#region src/ast/styler_defaults.ts
function hasBit(mask, bit) {
	return (mask & 1 << bit) !== 0;
}
/**
* Default scalar styling rules in application order.
* See [Scalar styling](../../docs/scalar_styling.md) for usage details.
*
* @category AST
*/
var DEFAULT_SCALAR_STYLE_RULES = {
	applyQuoteFlowKeysOption,
	doubleQuoteForInvisibles,
	doubleQuoteWhitespaceOnly,
	applyForceQuotesOption,
	tryLongOrMultilineAsBlock,
	quoteInvalidPlain,
	fallbackToDoubleQuoted
};
function _preferredQuotedStyle(layout) {
	if (layout.presenterOptions.quoteStyle === "single" && hasBit(layout.allowedStylesMask, SCALAR_STYLE.SINGLE_QUOTED)) return SCALAR_STYLE.SINGLE_QUOTED;
	return SCALAR_STYLE.DOUBLE_QUOTED;
}
function applyQuoteFlowKeysOption(layout) {
	if (!layout.presenterOptions.quoteFlowKeys) return;
	if (!layout.isKey || !layout.flowOnly || layout.style !== SCALAR_STYLE.PLAIN) return;
	layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}
function doubleQuoteForInvisibles(layout) {
	if (layout.style === SCALAR_STYLE.PLAIN && /[\t\x7F-\xA0\u2028\u2029\uFEFF\uFFFE\uFFFF]/.test(layout.node.value)) layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}
function doubleQuoteWhitespaceOnly(layout) {
	if (layout.style === SCALAR_STYLE.PLAIN && /^\s+$/.test(layout.node.value)) layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}
function applyForceQuotesOption(layout) {
	if (!layout.presenterOptions.forceQuotes) return;
	if (layout.isKey || layout.style !== SCALAR_STYLE.PLAIN) return;
	if (layout.node.tag !== layout.presenterOptions.schema.defaultScalarTag.tagName) return;
	layout.style = layout.node.value.includes("\n") ? SCALAR_STYLE.DOUBLE_QUOTED : _preferredQuotedStyle(layout);
}
function tryLongOrMultilineAsBlock(layout) {
	if (layout.style !== SCALAR_STYLE.PLAIN || layout.isKey) return;
	const value = layout.node.value;
	const multiline = value.indexOf("\n") !== -1;
	if (!hasBit(layout.allowedStylesMask, SCALAR_STYLE.LITERAL_BLOCK)) {
		if (multiline) layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
		return;
	}
	const w = layout.presenterOptions.lineWidth;
	if (w === -1) {
		if (multiline) layout.style = SCALAR_STYLE.LITERAL_BLOCK;
		return;
	}
	const availableWidth = Math.max(Math.min(w, 40), w - layout.shiftOfContent);
	let position = 0;
	let shouldFold = false;
	while (position <= value.length) {
		let lineEnd = value.length;
		const nextLineBreak = value.indexOf("\n", position);
		if (nextLineBreak !== -1) lineEnd = nextLineBreak;
		const line = value.slice(position, lineEnd);
		if (line.length > availableWidth && line[0] !== " " && / [^ \t]/.test(line)) shouldFold = true;
		if (nextLineBreak === -1) break;
		position = nextLineBreak + 1;
	}
	if (shouldFold) layout.style = SCALAR_STYLE.FOLDED_BLOCK;
	else if (multiline) layout.style = SCALAR_STYLE.LITERAL_BLOCK;
}
function quoteInvalidPlain(layout) {
	if (layout.style === SCALAR_STYLE.PLAIN && !hasBit(layout.allowedStylesMask, SCALAR_STYLE.PLAIN)) layout.style = _preferredQuotedStyle(layout);
}
function fallbackToDoubleQuoted(layout) {
	if (!hasBit(layout.allowedStylesMask, layout.style)) layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}
//#endregion
//#region src/ast/scalar_styler.ts
function setBit(mask, bit) {
	return mask | 1 << bit;
}
var SRC_C_PRINTABLE = "[\\x09\\x0A\\x0D\\x20-\\x7E\\x85\\xA0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]";
var SRC_B_CHAR = "[\\n\\r]";
var SRC_C_BYTE_ORDER_MARK = "\\uFEFF";
var SRC_S_WHITE = "[ \\t]";
var SRC_NB_CHAR = `(?:(?!(?:${SRC_B_CHAR}|${SRC_C_BYTE_ORDER_MARK}))${SRC_C_PRINTABLE})`;
var SRC_NS_CHAR = `(?:(?!${SRC_S_WHITE})${SRC_NB_CHAR})`;
var SRC_NB_JSON = "[\\x09\\x20-\\uD7FF\\uE000-\\uFFFF\\u{10000}-\\u{10FFFF}]";
var SRC_C_INDICATOR = "[-?:,\\[\\]{}#&*!|>'\"%@`]";
var SRC_C_FLOW_INDICATOR = "[,\\[\\]{}]";
var SRC_NS_PLAIN_SAFE_FLOW_OUT = SRC_NS_CHAR;
var SRC_NS_PLAIN_SAFE_FLOW_IN = `(?:(?!${SRC_C_FLOW_INDICATOR})${SRC_NS_CHAR})`;
var SRC_NS_PLAIN_FIRST_FLOW_OUT = `(?:(?:(?!${SRC_C_INDICATOR})${SRC_NS_CHAR})|[?:-](?=${SRC_NS_PLAIN_SAFE_FLOW_OUT}))`;
var SRC_NS_PLAIN_FIRST_FLOW_IN = `(?:(?:(?!${SRC_C_INDICATOR})${SRC_NS_CHAR})|[?:-](?=${SRC_NS_PLAIN_SAFE_FLOW_IN}))`;
var SRC_NS_PLAIN_CHAR_FLOW_OUT = `(?:(?:(?![:#])${SRC_NS_PLAIN_SAFE_FLOW_OUT})|:(?=${SRC_NS_PLAIN_SAFE_FLOW_OUT}))#*`;
var SRC_NS_PLAIN_CHAR_FLOW_IN = `(?:(?:(?![:#])${SRC_NS_PLAIN_SAFE_FLOW_IN})|:(?=${SRC_NS_PLAIN_SAFE_FLOW_IN}))#*`;
var SRC_NB_NS_PLAIN_IN_LINE_FLOW_OUT = `(?:${SRC_S_WHITE}*${SRC_NS_PLAIN_CHAR_FLOW_OUT})*`;
var SRC_NB_NS_PLAIN_IN_LINE_FLOW_IN = `(?:${SRC_S_WHITE}*${SRC_NS_PLAIN_CHAR_FLOW_IN})*`;
var SRC_NS_PLAIN_ONE_LINE_FLOW_OUT = `${SRC_NS_PLAIN_FIRST_FLOW_OUT}#*${SRC_NB_NS_PLAIN_IN_LINE_FLOW_OUT}`;
var SRC_NS_PLAIN_ONE_LINE_FLOW_IN = `${SRC_NS_PLAIN_FIRST_FLOW_IN}#*${SRC_NB_NS_PLAIN_IN_LINE_FLOW_IN}`;
var SRC_NS_PLAIN_ONE_LINE_BLOCK_KEY = SRC_NS_PLAIN_ONE_LINE_FLOW_OUT;
var SRC_NS_PLAIN_ONE_LINE_FLOW_KEY = SRC_NS_PLAIN_ONE_LINE_FLOW_IN;
var SRC_S_NS_PLAIN_NEXT_LINE_FLOW_OUT = `\\n+${SRC_NS_PLAIN_CHAR_FLOW_OUT}${SRC_NB_NS_PLAIN_IN_LINE_FLOW_OUT}`;
var SRC_S_NS_PLAIN_NEXT_LINE_FLOW_IN = `\\n+${SRC_NS_PLAIN_CHAR_FLOW_IN}${SRC_NB_NS_PLAIN_IN_LINE_FLOW_IN}`;
var SRC_NS_PLAIN_MULTI_LINE_FLOW_OUT = `${SRC_NS_PLAIN_ONE_LINE_FLOW_OUT}(?:${SRC_S_NS_PLAIN_NEXT_LINE_FLOW_OUT})*`;
var SRC_NS_PLAIN_MULTI_LINE_FLOW_IN = `${SRC_NS_PLAIN_ONE_LINE_FLOW_IN}(?:${SRC_S_NS_PLAIN_NEXT_LINE_FLOW_IN})*`;
var NS_PLAIN_FLOW_OUT = new RegExp(`^(?:${SRC_NS_PLAIN_MULTI_LINE_FLOW_OUT})$`, "u");
var NS_PLAIN_FLOW_IN = new RegExp(`^(?:${SRC_NS_PLAIN_MULTI_LINE_FLOW_IN})$`, "u");
var NS_PLAIN_BLOCK_KEY = new RegExp(`^(?:${SRC_NS_PLAIN_ONE_LINE_BLOCK_KEY})$`, "u");
var NS_PLAIN_FLOW_KEY = new RegExp(`^(?:${SRC_NS_PLAIN_ONE_LINE_FLOW_KEY})$`, "u");
var NB_SINGLE_ONE_LINE = new RegExp(`^(?:${SRC_NB_JSON})*$`, "u");
var NB_SINGLE_MULTI_LINE = new RegExp(`^(?:${SRC_NB_JSON}|\\n)*$`, "u");
var BLOCK_SCALAR_CONTENT = new RegExp(`^(?:${SRC_NB_CHAR}|\\n)*$`, "u");
var C_FORBIDDEN_FIRST_LINE = /^(?:---|\.\.\.)(?=$|[ \t\n\r])/;
var C_FORBIDDEN_CONTENT = /^(?:---|\.\.\.)(?=$|[ \t\n\r])/m;
function canUsePlain(layout) {
	const str = layout.node.value;
	if (str !== "") {
		if (!(layout.isKey ? layout.flowOnly ? NS_PLAIN_FLOW_KEY : NS_PLAIN_BLOCK_KEY : layout.flowOnly ? NS_PLAIN_FLOW_IN : NS_PLAIN_FLOW_OUT).test(str)) return false;
		if (layout.shiftOfFirstLine === 0 && C_FORBIDDEN_FIRST_LINE.test(str)) return false;
		if (layout.shiftOfContent === 0) {
			const firstLineBreak = str.indexOf("\n");
			if (firstLineBreak !== -1) {
				const content = str.slice(firstLineBreak + 1);
				if (C_FORBIDDEN_CONTENT.test(content)) return false;
			}
		}
	}
	const resolvedTag = layout.presenterOptions.schema.resolveImplicitScalarTag(str).tag.tagName;
	if (!layout.node.tagged && resolvedTag !== layout.node.tag) return false;
	if (!layout.node.tagged && str === "=" && resolvedTag === layout.presenterOptions.schema.defaultScalarTag.tagName) return false;
	return true;
}
function canUseSingleQuoted(layout) {
	const str = layout.node.value;
	if (!(layout.isKey ? NB_SINGLE_ONE_LINE : NB_SINGLE_MULTI_LINE).test(str)) return false;
	if (/[ \t]\n|\n[ \t]/.test(str)) return false;
	if (!layout.isKey && layout.shiftOfContent === 0) {
		const firstLineBreak = str.indexOf("\n");
		if (firstLineBreak !== -1 && C_FORBIDDEN_CONTENT.test(str.slice(firstLineBreak + 1))) return false;
	}
	return true;
}
function canUseBlock(layout) {
	if (layout.flowOnly || !BLOCK_SCALAR_CONTENT.test(layout.node.value)) return false;
	const contentIndent = layout.shiftOfContent - layout.shiftOfParent;
	if (contentIndent < 1) return false;
	if (contentIndent > 9 && /^\n* /.test(layout.node.value)) return false;
	if (layout.shiftOfContent === 0 && C_FORBIDDEN_CONTENT.test(layout.node.value)) return false;
	return true;
}
function detectAllowedStyles(layout) {
	let mask = setBit(0, SCALAR_STYLE.DOUBLE_QUOTED);
	if (canUsePlain(layout)) mask = setBit(mask, SCALAR_STYLE.PLAIN);
	if (canUseSingleQuoted(layout)) mask = setBit(mask, SCALAR_STYLE.SINGLE_QUOTED);
	if (canUseBlock(layout)) mask = setBit(setBit(mask, SCALAR_STYLE.LITERAL_BLOCK), SCALAR_STYLE.FOLDED_BLOCK);
	layout.allowedStylesMask = mask;
}
function renderScalar(layout) {
	switch (layout.style) {
		case SCALAR_STYLE.PLAIN: return renderPlain(layout);
		case SCALAR_STYLE.SINGLE_QUOTED: return renderSingleQuoted(layout);
		case SCALAR_STYLE.LITERAL_BLOCK: return renderLiteralBlock(layout);
		case SCALAR_STYLE.FOLDED_BLOCK: return renderFoldedBlock(layout);
		case SCALAR_STYLE.DOUBLE_QUOTED: return renderDoubleQuoted(layout);
	}
}
function renderPlain(layout) {
	return encodeFlowBreaks(layout.node.value, layout.shiftOfContent);
}
function renderSingleQuoted(layout) {
	return `'${encodeFlowBreaks(layout.node.value, layout.shiftOfContent).replace(/'/g, "''")}'`;
}
function renderLiteralBlock(layout) {
	const value = layout.node.value;
	return "|" + blockHeader(value, layout.shiftOfParent, layout.shiftOfContent) + dropEndingNewline(indentString(value, layout.shiftOfContent));
}
function renderFoldedBlock(layout) {
	const value = layout.node.value;
	const w = layout.presenterOptions.lineWidth;
	let availableWidth = Infinity;
	if (w !== -1) availableWidth = Math.max(Math.min(w, 40), w - layout.shiftOfContent);
	return ">" + blockHeader(value, layout.shiftOfParent, layout.shiftOfContent) + dropEndingNewline(indentString(foldBlockScalar(value, availableWidth), layout.shiftOfContent));
}
function renderDoubleQuoted(layout) {
	return `"${escapeString(layout.node.value)}"`;
}
function encodeFlowBreaks(string, shiftOfContent) {
	let nextLF = string.indexOf("\n");
	if (nextLF === -1) return string;
	const pad = " ".repeat(shiftOfContent);
	let result = string.slice(0, nextLF);
	const lineRe = /(\n+)([^\n]*)/g;
	lineRe.lastIndex = nextLF;
	let match;
	while (match = lineRe.exec(string)) {
		const breaks = match[1].length;
		const line = match[2];
		result += "\n".repeat(breaks + 1) + pad + line;
	}
	return result;
}
function indentString(string, spaces) {
	const indent = " ".repeat(spaces);
	let position = 0;
	let result = "";
	const length = string.length;
	while (position < length) {
		let line;
		const next = string.indexOf("\n", position);
		if (next === -1) {
			line = string.slice(position);
			position = length;
		} else {
			line = string.slice(position, next + 1);
			position = next + 1;
		}
		if (line.length && line !== "\n") result += indent;
		result += line;
	}
	return result;
}
function needIndentIndicator(string) {
	return /^\n* /.test(string);
}
function blockHeader(string, shiftOfParent, shiftOfContent) {
	const indentIndicator = needIndentIndicator(string) ? String(shiftOfContent - shiftOfParent) : "";
	const clip = string[string.length - 1] === "\n";
	return `${indentIndicator}${clip && (string[string.length - 2] === "\n" || string === "\n") ? "+" : clip ? "" : "-"}\n`;
}
function dropEndingNewline(string) {
	return string[string.length - 1] === "\n" ? string.slice(0, -1) : string;
}
function isMoreIndented(char) {
	return char === " " || char === "	";
}
function foldLine(line, width) {
	if (line === "" || isMoreIndented(line[0])) return line;
	const breakRe = / [^ \t]/g;
	let match;
	let start = 0;
	let end;
	let curr = 0;
	let next = 0;
	let result = "";
	while (match = breakRe.exec(line)) {
		next = match.index;
		if (next - start > width) {
			end = curr > start ? curr : next;
			result += `\n${line.slice(start, end)}`;
			start = end + 1;
		}
		curr = next;
	}
	result += "\n";
	if (line.length - start > width && curr > start) result += `${line.slice(start, curr)}\n${line.slice(curr + 1)}`;
	else result += line.slice(start);
	return result.slice(1);
}
function foldBlockScalar(string, width) {
	const lineRe = /(\n+)([^\n]*)/g;
	let nextLF = string.indexOf("\n");
	if (nextLF === -1) nextLF = string.length;
	lineRe.lastIndex = nextLF;
	let result = foldLine(string.slice(0, nextLF), width);
	let prevMoreIndented = string[0] === "\n" || isMoreIndented(string[0]);
	let moreIndented;
	let match;
	while (match = lineRe.exec(string)) {
		const prefix = match[1];
		const line = match[2];
		moreIndented = line !== "" && isMoreIndented(line[0]);
		result += prefix + (!prevMoreIndented && !moreIndented && line !== "" ? "\n" : "") + foldLine(line, width);
		prevMoreIndented = moreIndented;
	}
	return result;
}
var CHARACTERS_TO_ESCAPE = /["\\\x00-\x1F\x7F-\xA0\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/gu;
function escapeCharacter(character) {
	switch (character) {
		case "\0": return "\\0";
		case "\x07": return "\\a";
		case "\b": return "\\b";
		case "	": return "\\t";
		case "\n": return "\\n";
		case "\v": return "\\v";
		case "\f": return "\\f";
		case "\r": return "\\r";
		case "\x1B": return "\\e";
		case "\"": return "\\\"";
		case "\\": return "\\\\";
		case "": return "\\N";
		case "\xA0": return "\\_";
		case "\u2028": return "\\L";
		case "\u2029": return "\\P";
	}
	const code = character.charCodeAt(0);
	const hex = code.toString(16).toUpperCase();
	if (code <= 255) return `\\x${"0".repeat(2 - hex.length)}${hex}`;
	return `\\u${"0".repeat(4 - hex.length)}${hex}`;
}
function escapeString(string) {
	return string.replace(CHARACTERS_TO_ESCAPE, escapeCharacter);
}
//#endregion
//#region src/ast/presenter.ts
var CHAR_LINE_FEED = 10;
var DEFAULT_PRESENTER_OPTIONS = {
	indent: 2,
	seqNoIndent: false,
	seqInlineFirst: true,
	lineWidth: 80,
	flowBracketPadding: false,
	flowSkipCommaSpace: false,
	flowSkipColonSpace: false,
	quoteFlowKeys: false,
	quoteStyle: "single",
	forceQuotes: false,
	scalarStyleRules: Object.keys(DEFAULT_SCALAR_STYLE_RULES).map((name) => Reflect.get(DEFAULT_SCALAR_STYLE_RULES, name)),
	tagBeforeAnchor: false
};
function nodeTagShort(node) {
	return node.tagged ? node.tag : tagNameShort(node.tag);
}
function createPresenterState(options) {
	const opts = {
		...DEFAULT_PRESENTER_OPTIONS,
		...options
	};
	if (opts.flowSkipColonSpace) opts.quoteFlowKeys = true;
	return {
		...opts,
		defaultScalarTagName: opts.schema.defaultScalarTag.tagName,
		openEnded: false
	};
}
function generateNextLine(state, level) {
	return `\n${" ".repeat(state.indent * level)}`;
}
function scalarLayout(state, node, parent, level, isKey, flowOnly) {
	return {
		node,
		parent,
		level,
		isKey,
		flowOnly,
		shiftOfParent: level === 0 ? -1 : state.indent * (level - 1),
		shiftOfContent: state.indent * Math.max(1, level),
		shiftOfFirstLine: level === 0 ? 0 : state.indent * level,
		presenterOptions: state,
		allowedStylesMask: 0,
		style: node.style
	};
}
function writeFlowSequence(state, level, node) {
	let result = "";
	for (let index = 0, length = node.items.length; index < length; index += 1) {
		const item = writeNode(state, level, node.items[index], node, {}).text;
		if (index > 0) result += `,${!state.flowSkipCommaSpace ? " " : ""}`;
		result += item;
	}
	const pad = state.flowBracketPadding && node.items.length > 0 ? " " : "";
	return `[${pad}${result}${pad}]`;
}
function writeBlockSequence(state, level, node, compact) {
	let result = "";
	for (let index = 0, length = node.items.length; index < length; index += 1) {
		const item = writeNode(state, level + 1, node.items[index], node, {
			block: true,
			compact: state.seqInlineFirst,
			isblockseq: true
		}).text;
		if (!compact || result !== "") result += generateNextLine(state, level);
		if (item === "" || CHAR_LINE_FEED === item.charCodeAt(0)) result += "-";
		else result += "- ";
		result += item;
	}
	return result;
}
function writeFlowMapping(state, level, node) {
	let result = "";
	for (const { key, value } of node.items) {
		let pairBuffer = "";
		if (result !== "") pairBuffer += `,${!state.flowSkipCommaSpace ? " " : ""}`;
		const keyRender = writeNode(state, level, key, node, { iskey: true });
		const keyText = keyRender.text;
		const valueText = writeNode(state, level, value, node, {}).text;
		const sep = state.flowSkipColonSpace || valueText === "" ? "" : " ";
		const keyIsBareProps = key.kind === "scalar" && keyRender.noBody && (key.tagged || key.anchor !== void 0);
		const keyColonSep = key.kind === "alias" || keyIsBareProps ? " " : "";
		pairBuffer += `${keyText}${keyColonSep}:${sep}${valueText}`;
		result += pairBuffer;
	}
	const pad = state.flowBracketPadding && result !== "" ? " " : "";
	return `{${pad}${result}${pad}}`;
}
function writeBlockMapping(state, level, node, compact) {
	let result = "";
	for (let index = 0, length = node.items.length; index < length; index += 1) {
		let pairBuffer = "";
		if (!compact || result !== "") pairBuffer += generateNextLine(state, level);
		const { key, value } = node.items[index];
		const keyIsBlock = (key.kind === "mapping" || key.kind === "sequence") && key.style === COLLECTION_STYLE.BLOCK && key.items.length !== 0 || key.kind === "scalar" && (key.style === SCALAR_STYLE.LITERAL_BLOCK || key.style === SCALAR_STYLE.FOLDED_BLOCK);
		const keyRender = keyIsBlock ? writeNode(state, level + 1, key, node, {
			block: true,
			compact: true,
			isblockseq: !cannotBeCompact(state, key, level + 1)
		}) : writeNode(state, level + 1, key, node, {
			block: true,
			compact: true,
			iskey: true
		});
		const keyText = keyRender.text;
		const keyHasLineBreak = key.kind === "scalar" && key.value.indexOf("\n") !== -1;
		const keyIsTooLong = keyText.length > 1024 && /^[\s\S]{1025}/u.test(keyText);
		const explicitPair = keyIsBlock || keyHasLineBreak || keyIsTooLong;
		if (explicitPair) {
			if (keyText && CHAR_LINE_FEED === keyText.charCodeAt(0)) pairBuffer += "?";
			else pairBuffer += "? ";
		}
		pairBuffer += keyText;
		if (explicitPair) pairBuffer += generateNextLine(state, level);
		const valueText = writeNode(state, level + 1, value, node, {
			block: true,
			compact: explicitPair,
			isblockseq: explicitPair && !cannotBeCompact(state, value, level + 1)
		}).text;
		const keyIsBareProps = key.kind === "scalar" && keyRender.noBody && (key.tagged || key.anchor !== void 0);
		const keyColonSep = !explicitPair && (key.kind === "alias" || keyIsBareProps) ? " " : "";
		if (valueText === "" || CHAR_LINE_FEED === valueText.charCodeAt(0)) pairBuffer += `${keyColonSep}:`;
		else pairBuffer += `${keyColonSep}: `;
		pairBuffer += valueText;
		result += pairBuffer;
	}
	return result;
}
function cannotBeCompact(state, node, level) {
	if (node.kind === "alias") return true;
	return node.tagged || node.anchor !== void 0 || state.indent < 2 && level > 0;
}
function writeNode(state, level, node, parent, ctx) {
	if (node.kind === "alias") {
		state.openEnded = false;
		return {
			text: `*${node.anchor}`,
			noBody: false
		};
	}
	const { block = false, iskey = false, isblockseq = false } = ctx;
	let compact = ctx.compact ?? false;
	const hasAnchor = node.anchor !== void 0;
	if (cannotBeCompact(state, node, level)) compact = false;
	let body;
	let shouldPrintTag = node.tagged;
	const useBlockCollection = block && (node.kind === "mapping" || node.kind === "sequence") && node.style === COLLECTION_STYLE.BLOCK && node.items.length !== 0;
	if (node.kind === "mapping") {
		if (useBlockCollection) body = writeBlockMapping(state, level, node, compact);
		else body = writeFlowMapping(state, level, node);
	} else if (node.kind === "sequence") {
		if (useBlockCollection) {
			if (state.seqNoIndent && !isblockseq && level > 0) body = writeBlockSequence(state, level - 1, node, compact);
			else body = writeBlockSequence(state, level, node, compact);
		} else body = writeFlowSequence(state, level, node);
	} else {
		const layout = scalarLayout(state, node, parent, level, iskey, !block);
		detectAllowedStyles(layout);
		for (const rule of state.scalarStyleRules) rule(layout);
		body = renderScalar(layout);
		state.openEnded = (layout.style === SCALAR_STYLE.LITERAL_BLOCK || layout.style === SCALAR_STYLE.FOLDED_BLOCK) && (node.value === "\n" || node.value.endsWith("\n\n"));
		shouldPrintTag = node.tagged || body === "" && layout.flowOnly && parent?.kind === "sequence" && !hasAnchor || layout.style !== SCALAR_STYLE.PLAIN && node.tag !== state.defaultScalarTagName;
	}
	if ((node.kind === "mapping" || node.kind === "sequence") && !useBlockCollection) state.openEnded = false;
	if (useBlockCollection && compact && level > 0 && state.indent > 2) body = `${" ".repeat(state.indent - 2)}${body}`;
	const noBody = body === "";
	let text = body;
	if (shouldPrintTag || hasAnchor) {
		const props = [];
		const tag = shouldPrintTag ? nodeTagShort(node) : null;
		const anchor = hasAnchor ? `&${node.anchor}` : null;
		if (state.tagBeforeAnchor) {
			if (tag !== null) props.push(tag);
			if (anchor !== null) props.push(anchor);
		} else {
			if (anchor !== null) props.push(anchor);
			if (tag !== null) props.push(tag);
		}
		const sep = body === "" || body.charCodeAt(0) === CHAR_LINE_FEED ? "" : " ";
		text = `${props.join(" ")}${sep}${body}`;
	}
	return {
		text,
		noBody
	};
}
function rootStartsOwnLine(node) {
	return (node.kind === "sequence" || node.kind === "mapping") && node.style === COLLECTION_STYLE.BLOCK && node.items.length !== 0 && !node.tagged && node.anchor === void 0;
}
function writeDocumentDirectives(doc) {
	let result = "";
	for (const directive of doc.directives) {
		if (directive.kind === "yaml") {
			result += `%YAML ${directive.version}\n`;
			continue;
		}
		const { handle, prefix } = directive;
		result += `%TAG ${handle} ${prefix}\n`;
	}
	return result;
}
/**
* Build YAML from AST.
*
* @category AST
*/
function present(documents, options) {
	const state = createPresenterState(options);
	let result = "";
	let previousEnded = false;
	for (let index = 0; index < documents.length; index += 1) {
		const doc = documents[index];
		state.openEnded = false;
		const directives = writeDocumentDirectives(doc);
		const hasDirectives = directives !== "";
		const marker = doc.explicitStart || hasDirectives || index > 0 && !previousEnded;
		result += directives;
		if (doc.contents === null) {
			if (marker) result += "---\n";
		} else if (marker) {
			const body = writeNode(state, 0, doc.contents, null, {
				block: true,
				compact: true
			}).text;
			const sep = body === "" ? "" : hasDirectives || rootStartsOwnLine(doc.contents) ? "\n" : " ";
			result += `---${sep}${body}\n`;
		} else result += writeNode(state, 0, doc.contents, null, {
			block: true,
			compact: true
		}).text + "\n";
		previousEnded = doc.explicitEnd || state.openEnded;
		if (previousEnded) result += "...\n";
	}
	return result;
}
//#endregion
//#region src/dump.ts
var DEFAULT_DUMP_OPTIONS = {
	...DEFAULT_PRESENTER_OPTIONS,
	schema: DUMP_SCHEMA,
	skipInvalid: false,
	noRefs: false,
	flowLevel: -1,
	sortKeys: false,
	transform: () => {}
};
function defaultCompareFn(a, b) {
	const x = String(a);
	const y = String(b);
	if (x < y) return -1;
	if (x > y) return 1;
	return 0;
}
/**
* Serializes JS object as a YAML document. By default it can dump every
* supported YAML type, so it throws an exception if you try to dump regexps or
* functions. However, you can disable exceptions by setting the
* {@link DumpOptions.skipInvalid} option to `true`.
*
* @category Main
*/
function dump(input, options = {}) {
	const opts = {
		...DEFAULT_DUMP_OPTIONS,
		...options
	};
	const documents = jsToAst(input, opts.schema, {
		noRefs: opts.noRefs,
		skipInvalid: opts.skipInvalid
	});
	if (opts.flowLevel >= 0) visit(documents, (node, ctx) => {
		if (ctx.depth < opts.flowLevel) return;
		if (node.kind === "sequence" || node.kind === "mapping") node.style = COLLECTION_STYLE.FLOW;
		return VISIT_SKIP;
	});
	if (opts.sortKeys) {
		const compareFn = opts.sortKeys === true ? defaultCompareFn : opts.sortKeys;
		visit(documents, (node) => {
			if (node.kind !== "mapping") return;
			node.items.sort((a, b) => compareFn(a.key.kind === "scalar" ? a.key.value : "", b.key.kind === "scalar" ? b.key.value : ""));
		});
	}
	opts.transform(documents);
	return present(documents, {
		...pick(opts, Object.keys(DEFAULT_PRESENTER_OPTIONS)),
		schema: opts.schema
	});
}
//#endregion
//#region src/ast/from_events.ts
var NO_RANGE = -1;
function eventPosition(event) {
	if ("tagStart" in event && event.tagStart !== NO_RANGE) return event.tagStart;
	if ("anchorStart" in event && event.anchorStart !== NO_RANGE) return event.anchorStart;
	if ("valueStart" in event && event.valueStart !== NO_RANGE) return event.valueStart;
	if ("start" in event) return event.start;
	return 0;
}
function rawTag(state, event) {
	return event.tagStart === NO_RANGE ? "" : state.source.slice(event.tagStart, event.tagEnd);
}
function anchorName(state, event) {
	return event.anchorStart === NO_RANGE ? void 0 : state.source.slice(event.anchorStart, event.anchorEnd);
}
function buildScalar(state, event) {
	const value = getScalarValue(state.source, event);
	const raw = rawTag(state, event);
	let tag;
	let tagged = false;
	if (raw !== "") {
		tagged = true;
		tag = raw;
	} else if (event.style === SCALAR_STYLE.PLAIN) tag = state.schema.resolveImplicitScalarTag(value).tag.tagName;
	else tag = state.schema.defaultScalarTag.tagName;
	return {
		kind: "scalar",
		tag,
		tagged,
		style: event.style,
		anchor: anchorName(state, event),
		value
	};
}
function buildCollection(state, event, defaultTagName) {
	const raw = rawTag(state, event);
	let tag;
	let tagged = false;
	if (raw === "") tag = defaultTagName;
	else {
		tag = raw;
		tagged = true;
	}
	return {
		tag,
		tagged,
		style: event.style,
		anchor: anchorName(state, event)
	};
}
function addNode(state, node) {
	const frame = state.frames[state.frames.length - 1];
	if (frame.kind === "document") frame.doc.contents = node;
	else if (frame.kind === "sequence") frame.node.items.push(node);
	else if (frame.key) {
		frame.node.items.push({
			key: frame.key,
			value: node
		});
		frame.key = null;
	} else frame.key = node;
}
/**
* Builds an AST from parser events
*
* @category AST
*/
function eventsToAst(events, options) {
	const state = {
		source: options.source,
		schema: options.schema,
		eventIndex: 0,
		position: 0,
		frames: [],
		documents: []
	};
	while (state.eventIndex < events.length) {
		const event = events[state.eventIndex++];
		state.position = eventPosition(event);
		switch (event.type) {
			case EVENT_ID.DOCUMENT: {
				const doc = {
					contents: null,
					explicitStart: event.explicitStart,
					explicitEnd: event.explicitEnd,
					directives: event.directives
				};
				state.frames.push({
					kind: "document",
					doc
				});
				break;
			}
			case EVENT_ID.SCALAR:
				addNode(state, buildScalar(state, event));
				break;
			case EVENT_ID.SEQUENCE: {
				const { tag, tagged, style, anchor } = buildCollection(state, event, "tag:yaml.org,2002:seq");
				const node = {
					kind: "sequence",
					tag,
					tagged,
					style,
					anchor,
					items: []
				};
				state.frames.push({
					kind: "sequence",
					node
				});
				break;
			}
			case EVENT_ID.MAPPING: {
				const { tag, tagged, style, anchor } = buildCollection(state, event, "tag:yaml.org,2002:map");
				const node = {
					kind: "mapping",
					tag,
					tagged,
					style,
					anchor,
					items: []
				};
				state.frames.push({
					kind: "mapping",
					node,
					key: null
				});
				break;
			}
			case EVENT_ID.ALIAS:
				addNode(state, {
					kind: "alias",
					anchor: state.source.slice(event.anchorStart, event.anchorEnd)
				});
				break;
			case EVENT_ID.POP: {
				const frame = state.frames.pop();
				if (frame.kind === "mapping" && frame.key) throw new Error("incomplete mapping pair in event stream");
				if (frame.kind === "document") state.documents.push(frame.doc);
				else addNode(state, frame.node);
				break;
			}
		}
	}
	return state.documents;
}
//#endregion
//#region src/index.ts
/** @deprecated Use `EVENT_ID.DOCUMENT` instead. @internal */
var EVENT_DOCUMENT = EVENT_ID.DOCUMENT;
/** @deprecated Use `EVENT_ID.SEQUENCE` instead. @internal */
var EVENT_SEQUENCE = EVENT_ID.SEQUENCE;
/** @deprecated Use `EVENT_ID.MAPPING` instead. @internal */
var EVENT_MAPPING = EVENT_ID.MAPPING;
/** @deprecated Use `EVENT_ID.SCALAR` instead. @internal */
var EVENT_SCALAR = EVENT_ID.SCALAR;
/** @deprecated Use `EVENT_ID.ALIAS` instead. @internal */
var EVENT_ALIAS = EVENT_ID.ALIAS;
/** @deprecated Use `EVENT_ID.POP` instead. @internal */
var EVENT_POP = EVENT_ID.POP;
/** @deprecated Use `SCALAR_STYLE.PLAIN` instead. @internal */
var SCALAR_STYLE_PLAIN = SCALAR_STYLE.PLAIN;
/** @deprecated Use `SCALAR_STYLE.SINGLE_QUOTED` instead. @internal */
var SCALAR_STYLE_SINGLE_QUOTED = SCALAR_STYLE.SINGLE_QUOTED;
/** @deprecated Use `SCALAR_STYLE.DOUBLE_QUOTED` instead. @internal */
var SCALAR_STYLE_DOUBLE_QUOTED = SCALAR_STYLE.DOUBLE_QUOTED;
/** @deprecated Use `SCALAR_STYLE.LITERAL_BLOCK` instead. @internal */
var SCALAR_STYLE_LITERAL_BLOCK = SCALAR_STYLE.LITERAL_BLOCK;
/** @deprecated Use `SCALAR_STYLE.FOLDED_BLOCK` instead. @internal */
var SCALAR_STYLE_FOLDED_BLOCK = SCALAR_STYLE.FOLDED_BLOCK;
/** @deprecated Use `COLLECTION_STYLE.BLOCK` instead. @internal */
var COLLECTION_STYLE_BLOCK = COLLECTION_STYLE.BLOCK;
/** @deprecated Use `COLLECTION_STYLE.FLOW` instead. @internal */
var COLLECTION_STYLE_FLOW = COLLECTION_STYLE.FLOW;
/** @deprecated Use `CHOMPING_MODE.CLIP` instead. @internal */
var CHOMPING_CLIP = CHOMPING_MODE.CLIP;
/** @deprecated Use `CHOMPING_MODE.STRIP` instead. @internal */
var CHOMPING_STRIP = CHOMPING_MODE.STRIP;
/** @deprecated Use `CHOMPING_MODE.KEEP` instead. @internal */
var CHOMPING_KEEP = CHOMPING_MODE.KEEP;
//#endregion


//# sourceMappingURL=js-yaml.mjs.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./packages/installer/lib/bundle-values.js
/**
 * Strict patterns for the values of meta/bundle.json that reach a shell, TOML or YAML
 * (image names, versions, the bundle name). Checked at install time whatever the
 * signature says: `versions.node: v24.11.0$(…)` or a `sandboxImage` holding a quote and a
 * newline must never reach install.sh, config.toml or the EdgeMesh values.
 */
/** v1.22.0, 1.7.29, v1.34.2+k3s1, v1.0.0-rc.1 */
const VERSION = /^v?\d{1,4}\.\d{1,4}\.\d{1,4}(?:[-+][A-Za-z0-9][A-Za-z0-9.+-]{0,63})?$/;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d{1,5})?';
/** An image reference as Docker writes it: [host[:port]/]path[:tag][@sha256:…]. */
const IMAGE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const BUNDLE_NAME = /^kubeedge-(?:cloud|edge)-[A-Za-z0-9.+_-]{1,200}$/;
const matches = (re) => v => typeof v === 'string' && v.length <= 512 && re.test(v);
const bool = v => typeof v === 'boolean';
const oneOf = (...values) => v => typeof v === 'string' && values.includes(v);
const get = (doc, path) => path
    .split('.')
    .reduce((node, key) => typeof node === 'object' && node !== null
    ? node[key]
    : undefined, doc);
const FIELDS = [
    ['name', matches(BUNDLE_NAME), 'kubeedge-<side>-<version>...'],
    ['side', oneOf('cloud', 'edge'), 'cloud or edge'],
    ['arch', oneOf('amd64', 'arm64'), 'amd64 or arm64'],
    ...['kubeedge', 'edgemesh', 'k3s', 'containerd', 'node'].map((k) => [
        `versions.${k}`,
        matches(VERSION),
        'a version like v1.22.0'
    ]),
    ['mosquitto.enabled', bool, 'true or false'],
    ['mosquitto.image', matches(IMAGE), 'an image reference'],
    ['edgemesh.enabled', bool, 'true or false'],
    ['sandboxImage', matches(IMAGE), 'an image reference']
];
const show = (v) => (v === undefined ? 'missing' : JSON.stringify(v));
/**
 * mosquitto.repository and .tag, the chart's two values, split at build time
 * (@kedge/bundle chartImage): they must join back into mosquitto.image, so the cloud sets
 * exactly the image the bundle carries.
 */
function mosquittoChartProblems(doc) {
    const image = get(doc, 'mosquitto.image');
    const repository = get(doc, 'mosquitto.repository');
    const tag = get(doc, 'mosquitto.tag');
    if (typeof repository !== 'string' || typeof tag !== 'string' || typeof image !== 'string')
        return [`mosquitto.repository, .tag: ${show(repository)}, ${show(tag)} are not two strings`];
    if (`${repository}:${tag}` === image)
        return [];
    return [
        `mosquitto.repository, .tag: ${show(repository)}, ${show(tag)} do not make mosquitto.image ${show(image)}`
    ];
}
/** Every problem of a parsed bundle.json, each as `path: value is not what`. */
function checkBundleValues(doc) {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
        return ['(top level): not a JSON object'];
    const problems = FIELDS.filter(([path, check]) => !check(get(doc, path))).map(([path, , what]) => `${path}: ${show(get(doc, path))} is not ${what}`);
    problems.push(...mosquittoChartProblems(doc));
    const images = doc.images;
    if (!Array.isArray(images))
        return [...problems, 'images: not a list'];
    images.forEach((image, i) => {
        if (!matches(IMAGE)(get(image, 'name')))
            problems.push(`images[${i}].name: ${show(get(image, 'name'))} is not an image reference`);
        if (!matches(DIGEST)(get(image, 'manifestDigest')))
            problems.push(`images[${i}].manifestDigest: ${show(get(image, 'manifestDigest'))} is not sha256:<64 hex>`);
        const size = get(image, 'size');
        if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
            problems.push(`images[${i}].size: ${show(size)} is not a byte count`);
    });
    return problems;
}
//# sourceMappingURL=bundle-values.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/trust.js
/**
 * The site's trust anchor: a public key (PEM) given with --trust-key FILE, or placed once
 * per site at /etc/kedge/trust.pem. With one, the bundle's SHA256SUMS must carry a valid
 * SHA256SUMS.sig beside it, made the way openssl makes it, so the operator can check the
 * same signature by hand with no network:
 *   ECDSA P-256: openssl dgst -sha256 -sign key.pem -out SHA256SUMS.sig SHA256SUMS
 *   Ed25519:     openssl pkeyutl -sign -rawin -inkey key.pem -in SHA256SUMS -out SHA256SUMS.sig
 */


const SITE_TRUST_KEY = '/etc/kedge/trust.pem';
class TrustError extends Error {
    constructor(message) {
        super(message);
        this.name = 'TrustError';
    }
}
/** Reads a PEM public key: ECDSA P-256 or Ed25519; anything else is refused. */
function loadTrustKey(file, source) {
    let pem;
    try {
        pem = (0,external_node_fs_namespaceObject.readFileSync)(file, 'utf8');
    }
    catch (err) {
        throw new TrustError(`${source}: cannot read ${file}: ${err.message}`);
    }
    let key;
    try {
        key = (0,external_node_crypto_namespaceObject.createPublicKey)(pem);
    }
    catch (err) {
        throw new TrustError(`${source}: ${file} is not a PEM public key (${err.message}); give the release's kedge-release.pub.pem`);
    }
    const type = key.asymmetricKeyType;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'ed25519' && !(type === 'ec' && curve === 'prime256v1'))
        throw new TrustError(`${source}: ${file} is a ${type ?? 'unknown'}${curve ? ` (${curve})` : ''} key; kedge signs with ECDSA P-256 or Ed25519`);
    return { key, source };
}
/** Why `signature` is not a valid signature of `data` by `trust`, or undefined when it is. */
function verifySignature(data, signature, trust) {
    const algorithm = trust.key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    let ok;
    try {
        ok = (0,external_node_crypto_namespaceObject.verify)(algorithm, data, trust.key, signature);
    }
    catch {
        ok = false;
    }
    return ok
        ? undefined
        : `not a valid signature of SHA256SUMS by the key in ${trust.source}: the bundle was changed after signing, or signed with another key`;
}
//# sourceMappingURL=trust.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/bundle.js
/**
 * The bundle the installer ships in: checked file by file against SHA256SUMS (and nothing
 * unlisted beside it) before any change to the host, and its meta/bundle.json read.
 * Nothing in the bundle is followed: a symbolic link, a FIFO, a device or a directory where
 * a file belongs is refused by name, never opened (a FIFO would hang, a link would let a
 * file outside the bundle pass the check, a link loop would never end).
 */






class BundleError extends Error {
    constructor(message) {
        super(message);
        this.name = 'BundleError';
    }
}
/** Files a bundle carries that SHA256SUMS cannot list: itself and its signature. */
const UNLISTED = new Set(['SHA256SUMS', 'SHA256SUMS.sig']);
/** What a non-regular file is, for messages. */
function kindOf(st) {
    if (st.isSymbolicLink())
        return 'a symbolic link';
    if (st.isDirectory())
        return 'a directory';
    if (st.isFIFO())
        return 'a FIFO';
    if (st.isSocket())
        return 'a socket';
    if (st.isBlockDevice() || st.isCharacterDevice())
        return 'a device';
    return 'not a regular file';
}
/**
 * Every regular file under `dir` (relative paths), walked without following links; the
 * entries that are neither a directory nor a regular file go to `odd`.
 */
function walk(dir, odd, prefix = '') {
    const files = [];
    for (const entry of (0,external_node_fs_namespaceObject.readdirSync)((0,external_node_path_namespaceObject.join)(dir, prefix), { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory())
            files.push(...walk(dir, odd, rel));
        else if (entry.isFile())
            files.push(rel);
        else
            odd.push(`${rel}: ${kindOf((0,external_node_fs_namespaceObject.lstatSync)((0,external_node_path_namespaceObject.join)(dir, rel)))}; a bundle holds only regular files`);
    }
    return files;
}
/** sha256 of a regular file, opened without following a link and without blocking on a FIFO. */
async function sha256(file) {
    const handle = await (0,promises_namespaceObject.open)(file, external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NOFOLLOW | external_node_fs_namespaceObject.constants.O_NONBLOCK);
    try {
        if (!(await handle.stat()).isFile())
            throw new BundleError(`${file} is not a regular file`);
        const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
        for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 }))
            hash.update(chunk);
        return hash.digest('hex');
    }
    finally {
        await handle.close();
    }
}
function lstatOrUndefined(path) {
    try {
        return (0,external_node_fs_namespaceObject.lstatSync)(path);
    }
    catch {
        return undefined;
    }
}
/** A listed name that would reach outside the bundle (absolute, `..`, empty parts). */
const unsafeName = (name) => name.startsWith('/') || name.split('/').some(p => p === '' || p === '.' || p === '..');
function readSums(dir) {
    const sumsFile = (0,external_node_path_namespaceObject.join)(dir, 'SHA256SUMS');
    const st = lstatOrUndefined(sumsFile);
    if (!st)
        throw new BundleError(`${dir} has no SHA256SUMS: not a kedge bundle, or an incomplete copy`);
    if (!st.isFile())
        throw new BundleError(`${sumsFile} is ${kindOf(st)}, not a regular file; refusing the bundle`);
    const text = readNoFollow(sumsFile).toString('utf8');
    const listed = new Map();
    for (const line of text.split('\n')) {
        const m = /^([a-f0-9]{64}) {2}(.+)$/.exec(line);
        if (m?.[1] && m[2])
            listed.set(m[2], m[1]);
    }
    return { text, listed };
}
/** A file's bytes, opened without following a link and without blocking on a FIFO. */
function readNoFollow(file) {
    const fd = (0,external_node_fs_namespaceObject.openSync)(file, external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NOFOLLOW | external_node_fs_namespaceObject.constants.O_NONBLOCK);
    try {
        if (!(0,external_node_fs_namespaceObject.fstatSync)(fd).isFile())
            throw new BundleError(`${file} is not a regular file`);
        return (0,external_node_fs_namespaceObject.readFileSync)(fd);
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
/**
 * The problems of `dir` against SHA256SUMS: odd entries first, then each listed file. Every
 * listed file is checked for presence and type; its sha256 only when `hashed(file)`.
 */
async function checkFiles(dir, listed, hashed) {
    const odd = [];
    const present = new Set(walk(dir, odd));
    const problems = [...odd];
    for (const [file, expected] of listed) {
        if (unsafeName(file)) {
            problems.push(`${file}: not a path inside the bundle`);
            continue;
        }
        const st = lstatOrUndefined((0,external_node_path_namespaceObject.join)(dir, file));
        if (!st)
            problems.push(`${file}: missing`);
        else if (!st.isFile()) {
            if (!odd.some(o => o.startsWith(`${file}: `)))
                problems.push(`${file}: ${kindOf(st)}, not a regular file`);
        }
        else if (!present.has(file))
            problems.push(`${file}: reached through a symbolic link`);
        else if (hashed(file) && (await sha256((0,external_node_path_namespaceObject.join)(dir, file))) !== expected)
            problems.push(`${file}: changed (sha256 differs from SHA256SUMS)`);
    }
    for (const file of present) {
        if (!listed.has(file) && !UNLISTED.has(file))
            problems.push(`${file}: not in SHA256SUMS`);
    }
    return problems;
}
/** The one file of the bundle that plan reads, and so the one file plan hashes. */
const BUNDLE_META = 'meta/bundle.json';
/**
 * Verifies every file against SHA256SUMS; refuses a changed, missing, unlisted or
 * non-regular file. With a trust key, SHA256SUMS.sig must be its valid signature.
 */
async function verifyBundle(dir, trust, { hashAll = true } = {}) {
    const { text, listed } = readSums(dir);
    const problems = await checkFiles(dir, listed, f => hashAll || f === BUNDLE_META);
    if (problems.length > 0) {
        throw new BundleError(`the bundle in ${dir} does not match its SHA256SUMS; refusing to install from it:\n  ${problems.join('\n  ')}\ncopy the bundle again from its release (check the tarball against the release's SHA256SUMS)`);
    }
    if (trust) {
        const sig = (0,external_node_path_namespaceObject.join)(dir, 'SHA256SUMS.sig');
        const st = lstatOrUndefined(sig);
        if (!st?.isFile())
            throw new BundleError(`${sig} is missing: the bundle is not signed, and ${trust.source} asks for a signed bundle; use a bundle from a signed release, or check its origin and run without the key`);
        const problem = verifySignature(Buffer.from(text, 'utf8'), readNoFollow(sig), trust);
        if (problem)
            throw new BundleError(`${sig}: ${problem}; refusing the bundle`);
    }
    if (!listed.has(BUNDLE_META))
        throw new BundleError(`${dir}/meta/bundle.json is missing: not a kedge bundle`);
    let info;
    try {
        info = JSON.parse(readNoFollow((0,external_node_path_namespaceObject.join)(dir, 'meta', 'bundle.json')).toString('utf8'));
    }
    catch (err) {
        throw new BundleError(`${dir}/meta/bundle.json is not valid JSON: ${err.message}`);
    }
    const bad = checkBundleValues(info);
    if (bad.length > 0)
        throw new BundleError(`${dir}/meta/bundle.json holds values the installer will not use (they would reach a shell, TOML or YAML):\n  ${bad.join('\n  ')}\nrebuild the bundle from a valid spec`);
    return { ...info, dir };
}
//# sourceMappingURL=bundle.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/host.js
/**
 * The installer's only ways to touch the host: every command goes through `run`, every
 * path through `path` (which honours --root). Commands run as they are (no chroot); the
 * cluster tools (systemctl, k3s, kubectl, keadm, helm) are found on PATH, which is how the
 * tests put recording STUBS in their place.
 */


class CommandError extends Error {
    command;
    result;
    constructor(command, result) {
        super(`${command} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(-800)}`);
        this.command = command;
        this.result = result;
        this.name = 'CommandError';
    }
}
const lstatSafe = (full) => {
    try {
        (0,external_node_fs_namespaceObject.lstatSync)(full);
        return true;
    }
    catch {
        return false;
    }
};
class Host {
    root;
    logFile;
    secrets = new Set();
    /** Host paths written since the last take (the journal records them per step). */
    touched = [];
    guard;
    constructor(
    /** Filesystem prefix for every path the installer reads or writes ('' or '/' for none). */
    root, 
    /** The full log: every command with its whole output. */
    logFile) {
        this.root = root;
        this.logFile = logFile;
    }
    /** Never print or log this value (tokens, PSKs). */
    addSecret(value) {
        if (value)
            this.secrets.add(value);
    }
    mask(text) {
        let out = text;
        for (const secret of this.secrets)
            out = out.split(secret).join('***');
        return out;
    }
    log(line) {
        if (!this.logFile)
            return;
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(this.logFile), { recursive: true });
        (0,external_node_fs_namespaceObject.appendFileSync)(this.logFile, `${new Date().toISOString()} ${this.mask(line)}\n`);
    }
    /** A host path under --root. */
    path(p) {
        return this.root && this.root !== '/' ? (0,external_node_path_namespaceObject.join)(this.root, p) : p;
    }
    exists(p) {
        return (0,external_node_fs_namespaceObject.existsSync)(this.path(p));
    }
    read(p) {
        return (0,external_node_fs_namespaceObject.readFileSync)(this.path(p), 'utf8');
    }
    /** Every later write is announced to `guard` first (the runner's journal). */
    setGuard(guard) {
        this.guard = guard;
    }
    /** Announces a write of `p` that a command (keadm join) will make, as if kedge made it. */
    claim(p) {
        this.guard?.(p, this.missingDirs(p));
    }
    /** The directories above `p` that do not exist yet, outermost first. */
    missingDirs(p) {
        const out = [];
        for (let dir = (0,external_node_path_namespaceObject.dirname)(p); dir !== '/' && dir !== '.'; dir = (0,external_node_path_namespaceObject.dirname)(dir)) {
            if (this.exists(dir))
                break;
            out.unshift(dir);
        }
        return out;
    }
    /** Writes through a temporary name, without the guard (the journal's own file). */
    writeUntracked(p, content) {
        const full = this.path(p);
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(full), { recursive: true });
        (0,external_node_fs_namespaceObject.writeFileSync)(`${full}.kedge-tmp`, content, { mode: 0o600 });
        (0,external_node_fs_namespaceObject.renameSync)(`${full}.kedge-tmp`, full);
    }
    /** Writes through a temporary name; `mode` 0600 for secrets. */
    write(p, content, mode = 0o644) {
        this.claim(p);
        const full = this.path(p);
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(full), { recursive: true });
        const temp = `${full}.kedge-tmp`;
        (0,external_node_fs_namespaceObject.writeFileSync)(temp, content, { mode });
        (0,external_node_fs_namespaceObject.chmodSync)(temp, mode);
        (0,external_node_fs_namespaceObject.renameSync)(temp, full);
        this.touched.push(p);
        this.log(`wrote ${p} (mode ${mode.toString(8)})`);
    }
    /** Copies a bundle file to a host path. */
    install(from, p, mode) {
        this.claim(p);
        const full = this.path(p);
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(full), { recursive: true });
        (0,external_node_fs_namespaceObject.copyFileSync)(from, `${full}.kedge-tmp`);
        (0,external_node_fs_namespaceObject.chmodSync)(`${full}.kedge-tmp`, mode);
        (0,external_node_fs_namespaceObject.renameSync)(`${full}.kedge-tmp`, full);
        this.touched.push(p);
        this.log(`installed ${p} from ${from}`);
    }
    /** The host paths written since the last call. */
    takeTouched() {
        const out = [...new Set(this.touched)];
        this.touched = [];
        return out;
    }
    /** Before the first edit of an existing file: keep it as <file>.kedge.bak (once). */
    backup(p) {
        // Under the journal, the guard decides: it backs up only a file kedge did not write.
        if (this.guard) {
            this.claim(p);
            return undefined;
        }
        const full = this.path(p);
        const bak = `${full}.kedge.bak`;
        if (!(0,external_node_fs_namespaceObject.existsSync)(full) || (0,external_node_fs_namespaceObject.existsSync)(bak))
            return undefined;
        (0,external_node_fs_namespaceObject.copyFileSync)(full, bak);
        this.log(`backed up ${p} to ${p}.kedge.bak`);
        return `${p}.kedge.bak`;
    }
    /** Keeps the file at `p` as <p>.kedge.bak (a copy: mode kept); an existing backup is kept. */
    keepOriginal(p) {
        const full = this.path(p);
        if (lstatSafe(`${full}.kedge.bak`))
            return;
        if ((0,external_node_fs_namespaceObject.lstatSync)(full).isSymbolicLink())
            (0,external_node_fs_namespaceObject.symlinkSync)((0,external_node_fs_namespaceObject.readlinkSync)(full), `${full}.kedge-bak-tmp`);
        else
            (0,external_node_fs_namespaceObject.copyFileSync)(full, `${full}.kedge-bak-tmp`);
        (0,external_node_fs_namespaceObject.renameSync)(`${full}.kedge-bak-tmp`, `${full}.kedge.bak`);
        this.log(`backed up ${p} to ${p}.kedge.bak`);
    }
    /** Whether `p` exists, without following a link. */
    lexists(p) {
        return lstatSafe(this.path(p));
    }
    /** Removes a directory kedge made, if it is empty. */
    removeEmptyDir(p) {
        const full = this.path(p);
        if ((0,external_node_fs_namespaceObject.existsSync)(full) && (0,external_node_fs_namespaceObject.readdirSync)(full).length === 0) {
            (0,external_node_fs_namespaceObject.rmdirSync)(full);
            this.log(`removed the empty directory ${p}`);
        }
    }
    /** Puts a backup back, or removes a file the installer created (and any temporary left). */
    restore(p) {
        const full = this.path(p);
        for (const temp of ['kedge-tmp', 'kedge-bak-tmp'])
            (0,external_node_fs_namespaceObject.rmSync)(`${full}.${temp}`, { force: true });
        if (lstatSafe(`${full}.kedge.bak`)) {
            (0,external_node_fs_namespaceObject.renameSync)(`${full}.kedge.bak`, full);
            this.log(`restored ${p} from its backup`);
        }
        else if (lstatSafe(full)) {
            (0,external_node_fs_namespaceObject.rmSync)(full, { recursive: true, force: true });
            this.log(`removed ${p}`);
        }
    }
    remove(p) {
        (0,external_node_fs_namespaceObject.rmSync)(this.path(p), { recursive: true, force: true });
    }
    /**
     * Runs a command; its whole output goes to the log, secrets masked. node:child_process is
     * loaded on the first run: plan and --help run nothing and start faster without it.
     */
    async run(command, args, options = {}) {
        const shown = this.mask([command, ...args].join(' '));
        this.log(`$ ${shown}`);
        const { spawn } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 421, 19));
        return new Promise((resolve, reject) => {
            const child = spawn(command, args, {
                env: { ...process.env, ...options.env },
                stdio: ['pipe', 'pipe', 'pipe']
            });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (c) => (stdout += c.toString()));
            child.stderr.on('data', (c) => (stderr += c.toString()));
            const timer = options.timeoutMs
                ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
                : undefined;
            child.on('error', err => {
                clearTimeout(timer);
                this.log(`  could not start ${command}: ${err.message}`);
                reject(new Error(`cannot run ${command}: ${err.message} (is it installed and on PATH?)`));
            });
            child.on('close', code => {
                clearTimeout(timer);
                const result = { code: code ?? -1, stdout, stderr };
                if (options.secretOutput)
                    this.log('  stdout: (a secret, not logged)');
                else if (stdout.trim())
                    this.log(`  stdout: ${stdout.trim()}`);
                if (stderr.trim())
                    this.log(`  stderr: ${stderr.trim()}`);
                this.log(`  exit ${result.code}`);
                if (result.code !== 0 && !options.allowFailure)
                    reject(new CommandError(shown, {
                        ...result,
                        stdout: this.mask(stdout),
                        stderr: this.mask(stderr)
                    }));
                else
                    resolve(result);
            });
            // A command that exits without reading its input must not crash the installer (EPIPE).
            child.stdin.on('error', () => undefined);
            child.stdin.end(options.input ?? '');
        });
    }
}
//# sourceMappingURL=host.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/journal.js
/**
 * The journal: completed steps with a hash of their inputs, in /var/lib/kedge/state.json
 * (under --root). A re-run skips a finished step whose inputs (and those of every step
 * before it) are unchanged, so it resumes after a crash and re-runs what changed.
 * Written ahead: a step is journaled as started before it runs, and every host path kedge
 * writes (and every directory it creates) is journaled before the write, with a backup of
 * a file that was there before. So a crash anywhere leaves a journal that names everything
 * kedge may have changed, a re-run never backs up kedge's own file, and uninstall restores
 * the operator's files and removes only kedge's.
 */

const KEDGE_STATE_DIR = '/var/lib/kedge';
const STATE_FILE = `${KEDGE_STATE_DIR}/state.json`;
function loadState(host) {
    if (!host.exists(STATE_FILE))
        return { steps: {} };
    try {
        const parsed = JSON.parse(host.read(STATE_FILE));
        return { ...parsed, steps: parsed.steps };
    }
    catch {
        throw new Error(`${host.path(STATE_FILE)} is not valid JSON; move it away to start over`);
    }
}
function addDirs(state, dirs) {
    const known = (state.dirs ??= []);
    for (const d of dirs)
        if (!known.includes(d))
            known.push(d);
}
function saveState(host, state) {
    addDirs(state, host.missingDirs(STATE_FILE));
    host.writeUntracked(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}
/**
 * Journals every write before it happens: the directories it creates, the path, and (the
 * first time kedge writes a path that exists) a backup of the operator's file.
 */
function journalWrites(host, state) {
    host.setGuard((p, newDirs) => {
        const written = (state.written ??= []);
        if (written.includes(p) && newDirs.every(d => state.dirs?.includes(d)))
            return;
        addDirs(state, newDirs);
        if (!written.includes(p)) {
            // Under /var/lib/kedge everything is kedge's own (a token or PSK kept from before).
            if (host.lexists(p) && !p.startsWith(`${KEDGE_STATE_DIR}/`)) {
                host.keepOriginal(p);
                (state.backedUp ??= []).push(p);
            }
            written.push(p);
        }
        saveState(host, state);
        // Crash tests only: SIGKILL between the journal entry and the write itself.
        if (process.env.KEDGE_KILL_AT === `write:${p}`)
            process.kill(process.pid, 'SIGKILL');
    });
}
/**
 * Crash tests only: KEDGE_KILL_AT=<step>:start|end SIGKILLs this process right after the
 * step is journaled as started, or right after it ran (before it is journaled as finished).
 * Install (runner.ts) and upgrade (upgrade/journal.ts) both honour it.
 */
function crashPoint(step, point) {
    if (process.env.KEDGE_KILL_AT === `${step}:${point}`)
        process.kill(process.pid, 'SIGKILL');
}
/** A step's hash: its own inputs chained to the hash of the step before it. */
function stepHash(previous, inputs) {
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(previous).update(JSON.stringify(inputs)).digest('hex');
}
//# sourceMappingURL=journal.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/errors.js
/** A bad command line or bad input file: exit 2, before any change. */
class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/joinfile.js
/**
 * The join file: what the cloud hands to each edge, in /var/lib/kedge/edge-join.txt (0600).
 * `#` comment lines, then key=value lines: cloudcore-ipport, token, edgemesh, expires (the
 * token's JWT `exp`, RFC 3339 UTC). The edge takes it with --join-file; the token never
 * goes on a command line a user types.
 */

const JOIN_FILE = '/var/lib/kedge/edge-join.txt';
/** KubeEdge's token: the CA hash (64 hex), a dot, a JWT. */
const TOKEN = /^[a-f0-9]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/**
 * When the token expires: the `exp` claim of its JWT (KubeEdge signs it for
 * 2 x tokenRefreshDuration, 24 h by default). Undefined when it carries none.
 */
function tokenExpiry(token) {
    const payload = token.split('.')[2];
    if (!payload)
        return undefined;
    try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    }
    catch {
        return undefined;
    }
}
/** "23 h 59 min" (or "expired 2 h 3 min ago") from now to `when`. */
function timeLeft(when, now = new Date()) {
    const minutes = Math.round(Math.abs(when.getTime() - now.getTime()) / 60000);
    const span = `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
    return when.getTime() > now.getTime() ? span : `expired ${span} ago`;
}
/** RFC 3339 UTC to the second (the JWT exp has no fraction). */
const rfc3339 = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
function formatJoinFile(info) {
    const exp = tokenExpiry(info.token);
    return [
        '# kedge edge join file, written on the cloud by install.js cloud (or token); mode 0600.',
        '# It holds a secret: copy it to the edge host only, then run there, in the edge bundle:',
        '#   sudo ./install.sh edge --join-file edge-join.txt --yes',
        '# The token expires (about 24 h); mint a fresh one on the cloud: sudo ./install.sh token',
        `cloudcore-ipport=${info.cloudcoreIpport}`,
        `token=${info.token}`,
        `edgemesh=${String(info.edgemesh)}`,
        ...(exp ? [`expires=${rfc3339(exp)}`] : []),
        ''
    ].join('\n');
}
/** Reads a join file; an unknown key or a malformed line is an error naming the line. */
function parseJoinFile(text, file) {
    const info = {};
    for (const [i, raw] of text.split('\n').entries()) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const m = /^([a-z-]+)=(.*)$/.exec(line);
        const where = `${file} line ${i + 1}`;
        if (!m?.[1])
            throw new UsageError(`--join-file: ${where} is not key=value`);
        const value = m[2] ?? '';
        if (m[1] === 'cloudcore-ipport')
            info.cloudcoreIpport = value;
        else if (m[1] === 'token')
            info.token = value;
        else if (m[1] === 'expires')
            info.expires = value;
        else if (m[1] === 'edgemesh') {
            if (value !== 'true' && value !== 'false')
                throw new UsageError(`--join-file: ${where}: edgemesh must be true or false`);
            info.edgemesh = value === 'true';
        }
        else
            throw new UsageError(`--join-file: ${where}: unknown key "${m[1]}" (expected cloudcore-ipport, token, edgemesh, expires)`);
    }
    return info;
}
//# sourceMappingURL=joinfile.js.map
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./packages/installer/lib/help.js
/** The text of --help, for install.js and each command. */
const HELP = {
    main: `usage: node install.js <command> [options]   (or ./install.sh <command> ...)

commands:
  cloud       install the cloud side: k3s, CloudCore, Istio CRDs, join file, EdgeMesh
  edge        install the edge side: containerd, runc, CNI, images, keadm join
  plan        print the ordered steps with their commands and files; change nothing
  verify      run the checklist; PASS/FAIL per check and a count (exit 1 on any FAIL)
  uninstall   undo in reverse order; keeps logs, join file and PSK unless --purge
  token       on the cloud: mint a fresh edge token and rewrite the join file
  upgrade     upgrade a host an older kedge bundle installed (--rollback: undo it)

common options:
  --yes             no prompts          --dry-run    the same as plan
  --json            machine-readable: one JSON object, the last line of stdout
  --log-file F      (default /var/log/kubeedge-<side>-install.log)
  --root DIR        prefix for every path read or written (tests, image builders)
  --side cloud|edge for plan/verify/uninstall (default: the bundle's side)
  --trust-key FILE  refuse a bundle whose SHA256SUMS.sig this public key (PEM) does not
                    verify (default: /etc/kedge/trust.pem when it exists)
  --wait-timeout S  how long each wait (API, cloudcore, edgecore) may take (default 300)
  --help            this help, or <command> --help

exit codes: 0 ok, 1 a step or check failed, 2 bad usage or bad input, 130 interrupted`,
    cloud: `usage: node install.js cloud [options]
  --advertise-address IP[,IP]  the address edges reach CloudCore on (default: this host's primary IP)
  --node-name NAME             the k3s node name (default: the host name)
  --edgemesh / --no-edgemesh   install EdgeMesh (default: yes); written to the join file
  --relay-node NAME=IP[,IP]    an EdgeMesh relay node, repeatable (default: this node)
  --kubeconfig FILE            use an existing cluster: skip k3s
  --disable-traefik            start k3s without Traefik
  --keep-servicelb             keep k3s's servicelb (default: --disable=servicelb; its
                               DaemonSet would land on edge nodes)
  --add-default-route          if the host has no default route (k3s needs one), add a dummy
                               interface with one; without it, preflight stops and says how
writes /var/lib/kedge/edge-join.txt (0600) for the edges; see: install.js token --help`,
    upgrade: `usage: node install.js upgrade [--dry-run] [--rollback] [options]
  prints the plan (version from -> to per component), refuses a downgrade or a skipped
  minor, backs up, then upgrades in place (journaled: run it again to resume)
  --dry-run    print the plan and the steps; change nothing
  --rollback   return to the bundle this host ran before the last upgrade`,
    edge: `usage: node install.js edge [options]
  --join-file FILE             edge-join.txt from the cloud: address, token, EdgeMesh choice
  --cloudcore-ipport IP:PORT   CloudCore's websocket address (port 10000), or --cloud-ip IP
  --token-file FILE            a file with only the token (flags override the join file)
  --edgemesh / --no-edgemesh   EdgeMesh on this node (default: the join file's, else yes)
  --node-name NAME             the edge node name (default: the host name)
  --cgroup-driver cgroupfs|systemd   (default cgroupfs; containerd is configured to match)
  --labels k=v[,k=v]           node labels
  --certport PORT              CloudCore's certificate port (default 10002)
an expired token is refused (exit 2): run ./install.sh token on the cloud, copy the file again`,
    plan: `usage: node install.js plan [--side cloud|edge] [the install flags]
prints the ordered steps of the side's install with their commands and files; changes
nothing. Missing edge join flags show as <cloud-ip> and <token>. The same as cloud|edge --dry-run.
It checks the bundle's listing and signature but hashes only meta/bundle.json; cloud|edge
hash every file before they change anything.`,
    verify: `usage: node install.js verify [--side cloud|edge] [--root DIR] [--json]
runs the checklist of what was installed (EdgeMesh checks only when it was): one PASS or
FAIL line per check with a hint, then the count. Exit 0 iff every check passed.
--json: {"command":"verify","side":...,"ok":...,"passed":N,"failed":M,"checks":[...]}`,
    uninstall: `usage: node install.js uninstall [--yes] [--purge] [--root DIR] [--json]
undoes the install in reverse order: keadm reset, helm uninstall, k3s-uninstall.sh, then
every file the installer wrote (backups restored). On a TTY it asks first; otherwise
--yes is required. Keeps the log, the join file and the EdgeMesh PSK unless --purge.`,
    token: `usage: node install.js token [--root DIR] [--json]   (on the cloud)
mints a fresh edge token (keadm gettoken; it is valid about 24 h), rewrites the join file
/var/lib/kedge/edge-join.txt (0600) and prints its path and expiry. Copy the file to the
edge and run there: sudo ./install.sh edge --join-file edge-join.txt --yes
--json: {"command":"token","ok":true,"joinFile":"...","expires":"..."}`
};
//# sourceMappingURL=help.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/options.js
/**
 * Command line: node install.js cloud|edge|plan|verify|uninstall|token [options].
 * Every bad flag is a UsageError (exit 2) with what was expected, before any change.
 */










const COMMANDS = [
    'cloud',
    'edge',
    'plan',
    'verify',
    'uninstall',
    'token',
    'upgrade'
];
function primaryIp() {
    for (const list of Object.values((0,external_node_os_namespaceObject.networkInterfaces)())) {
        for (const a of list ?? [])
            if (a.family === 'IPv4' && !a.internal)
                return a.address;
    }
    return undefined;
}
function ip(value, flag) {
    if (!(0,external_node_net_namespaceObject.isIP)(value))
        throw new UsageError(`${flag}: "${value}" is not an IP address`);
    return value;
}
function port(value, flag) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
        throw new UsageError(`${flag}: "${value}" is not a port (1-65535)`);
    return n;
}
const FLAGS = {
    help: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    purge: { type: 'boolean' },
    rollback: { type: 'boolean' },
    'log-file': { type: 'string' },
    root: { type: 'string' },
    side: { type: 'string' },
    bundle: { type: 'string' },
    'trust-key': { type: 'string' },
    'containerd-address': { type: 'string' },
    'advertise-address': { type: 'string' },
    'node-name': { type: 'string' },
    edgemesh: { type: 'boolean' },
    'no-edgemesh': { type: 'boolean' },
    'relay-node': { type: 'string', multiple: true },
    kubeconfig: { type: 'string' },
    'disable-traefik': { type: 'boolean' },
    'cloudcore-ipport': { type: 'string' },
    'cloud-ip': { type: 'string' },
    certport: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'cgroup-driver': { type: 'string' },
    labels: { type: 'string' },
    'join-file': { type: 'string' },
    'wait-timeout': { type: 'string' },
    'keep-servicelb': { type: 'boolean' },
    'add-default-route': { type: 'boolean' }
};
function readFlags(rest) {
    try {
        return (0,external_node_util_namespaceObject.parseArgs)({ args: rest, allowPositionals: false, options: FLAGS }).values;
    }
    catch (err) {
        throw new UsageError(err.message);
    }
}
/** The options every command shares, with the defaults. */
function baseOptions(command, side, v) {
    const options = {
        command: v['dry-run'] && (command === 'cloud' || command === 'edge') ? 'plan' : command,
        ...(side ? { side } : {}),
        yes: v.yes ?? false,
        dryRun: v['dry-run'] ?? false,
        json: v.json ?? false,
        purge: v.purge ?? false,
        rollback: v.rollback ?? false,
        root: v.root ?? '',
        ...(v['log-file'] ? { logFile: v['log-file'] } : {}),
        ...(v.bundle ? { bundleDir: v.bundle } : {}),
        ...(v['trust-key'] ? { trustKey: v['trust-key'] } : {}),
        containerdAddress: v['containerd-address'] ?? '/run/containerd/containerd.sock',
        waitTimeout: waitTimeout(v['wait-timeout']),
        advertiseAddress: [],
        nodeName: (v['node-name'] ?? (0,external_node_os_namespaceObject.hostname)()).toLowerCase(),
        relayNodes: [],
        disableTraefik: v['disable-traefik'] ?? false,
        ...(v['keep-servicelb'] ? { servicelb: true } : {}),
        addDefaultRoute: v['add-default-route'] ?? false,
        cloudPort: 10000,
        tunnelPort: 10004,
        certPort: v.certport ? port(v.certport, '--certport') : 10002,
        cgroupDriver: 'cgroupfs',
        labels: []
    };
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.nodeName)) {
        throw new UsageError(`--node-name: "${options.nodeName}" is not a valid node name (lower-case letters, digits, - and .)`);
    }
    return options;
}
/** --advertise-address, --edgemesh, --relay-node, --kubeconfig. */
function cloudFlags(options, v) {
    if (v['advertise-address']) {
        options.advertiseAddress = v['advertise-address']
            .split(',')
            .map(a => ip(a.trim(), '--advertise-address'));
    }
    else if (options.side === 'cloud') {
        const found = primaryIp();
        if (found)
            options.advertiseAddress = [found];
    }
    if (v.edgemesh && v['no-edgemesh'])
        throw new UsageError('--edgemesh and --no-edgemesh contradict each other');
    if (v.edgemesh || v['no-edgemesh'])
        options.edgemesh = v.edgemesh === true;
    for (const relay of v['relay-node'] ?? []) {
        const m = /^([^=]+)=(.+)$/.exec(relay);
        if (!m?.[1] || !m[2])
            throw new UsageError(`--relay-node: "${relay}" is not NAME=IP[,IP]`);
        options.relayNodes.push({
            name: m[1],
            addresses: m[2].split(',').map(a => ip(a.trim(), '--relay-node'))
        });
    }
    if (v.kubeconfig)
        options.kubeconfig = v.kubeconfig;
}
/** The token from --token or --token-file, checked for KubeEdge's shape. */
function tokenFlag(v) {
    if (v.token && v['token-file'])
        throw new UsageError('give --token or --token-file, not both');
    let token = v.token;
    if (v['token-file']) {
        const text = readText(v['token-file'], '--token-file');
        // A join file given here: take its token.
        token = /^token=/m.test(text) ? parseJoinFile(text, v['token-file']).token : text.trim();
    }
    if (token !== undefined && !TOKEN.test(token)) {
        throw new UsageError('the token does not look like a KubeEdge token (<64 hex>.<JWT>); copy it from edge-join.txt on the cloud or `keadm gettoken`');
    }
    return token;
}
function readText(file, flag) {
    try {
        return (0,external_node_fs_namespaceObject.readFileSync)(file, 'utf8');
    }
    catch (err) {
        throw new UsageError(`${flag}: cannot read ${file}: ${err.message}`);
    }
}
function waitTimeout(value) {
    const text = value ?? process.env.KEDGE_WAIT_SECONDS ?? '300';
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--wait-timeout: "${text}" is not a whole number of seconds (>= 1)`);
    return n;
}
/** Sets cloudIp and cloudPort from IP:PORT; `flag` names the source in errors. */
function setCloudcore(options, value, flag) {
    const m = /^(.+):(\d+)$/.exec(value);
    if (!m?.[1] || !m[2])
        throw new UsageError(`${flag}: "${value}" is not IP:PORT (e.g. 192.0.2.10:10000)`);
    options.cloudIp = ip(m[1], flag);
    options.cloudPort = port(m[2], flag);
}
/** The join file (--join-file): what the flags given explicitly leave open. */
function joinFileFlags(options, v, join, file) {
    if (!v['cloudcore-ipport'] && !v['cloud-ip'] && join.cloudcoreIpport)
        setCloudcore(options, join.cloudcoreIpport, `--join-file ${file}: cloudcore-ipport`);
    if (options.token === undefined && join.token !== undefined) {
        if (!TOKEN.test(join.token))
            throw new UsageError(`--join-file ${file}: the token does not look like a KubeEdge token (<64 hex>.<JWT>); copy the file again from the cloud, or run ./install.sh token there`);
        options.token = join.token;
    }
    if (options.edgemesh === undefined && join.edgemesh !== undefined)
        options.edgemesh = join.edgemesh;
    options.joinFile = file;
}
/** --cloudcore-ipport (or --cloud-ip), the token, --join-file, --cgroup-driver, --labels. */
function edgeFlags(options, v) {
    if (v['cloudcore-ipport'])
        setCloudcore(options, v['cloudcore-ipport'], '--cloudcore-ipport');
    else if (v['cloud-ip'])
        options.cloudIp = ip(v['cloud-ip'], '--cloud-ip');
    const token = tokenFlag(v);
    if (token !== undefined)
        options.token = token;
    const file = v['join-file'];
    if (file)
        joinFileFlags(options, v, parseJoinFile(readText(file, '--join-file'), file), file);
    if (v['cgroup-driver']) {
        if (v['cgroup-driver'] !== 'cgroupfs' && v['cgroup-driver'] !== 'systemd') {
            throw new UsageError(`--cgroup-driver: expected cgroupfs or systemd, got "${v['cgroup-driver']}"`);
        }
        options.cgroupDriver = v['cgroup-driver'];
    }
    if (v.labels) {
        options.labels = v.labels.split(',').map(l => l.trim());
        const bad = options.labels.find(l => !/^[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*$/.test(l));
        if (bad !== undefined)
            throw new UsageError(`--labels: "${bad}" is not key=value`);
    }
}
function parseOptions(argv) {
    const [first, ...rest] = argv;
    if (!first || first === '--help' || first === '-h' || first === 'help')
        return { help: HELP.main ?? '' };
    if (!COMMANDS.includes(first)) {
        throw new UsageError(`unknown command "${first}": expected one of ${COMMANDS.join(', ')}`);
    }
    const command = first;
    const v = readFlags(rest);
    if (v.help)
        return { help: HELP[command] ?? HELP.main ?? '' };
    const side = v.side ?? (command === 'cloud' || command === 'edge' ? command : undefined);
    if (side !== undefined && side !== 'cloud' && side !== 'edge')
        throw new UsageError(`--side: expected cloud or edge, got "${side}"`);
    const options = baseOptions(command, side, v);
    cloudFlags(options, v);
    edgeFlags(options, v);
    // plan shows placeholders for what is missing.
    if (options.command === 'edge') {
        if (!options.cloudIp)
            throw new UsageError('edge: --cloudcore-ipport IP:10000 (or --cloud-ip IP) is required: give --join-file edge-join.txt (written by the cloud install) or the flag');
        if (!options.token)
            throw new UsageError('edge: a token is required: --join-file edge-join.txt (from the cloud), or --token-file FILE');
    }
    if (options.command === 'cloud' && options.advertiseAddress.length === 0) {
        throw new UsageError('cloud: no --advertise-address given and no primary IP found');
    }
    return options;
}
//# sourceMappingURL=options.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/output.js
function output(json, write) {
    return {
        line: text => {
            if (!json)
                write(`${text}\n`);
        },
        event: data => {
            if (json)
                write(`${JSON.stringify(data)}\n`);
        }
    };
}
//# sourceMappingURL=output.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/steps/common.js
/**
 * What every step shares: the Step and Context shapes, waiting, and the image import that
 * both sides run (into the edge's containerd, or k3s's).
 */


const KEDGE_DIR = '/var/lib/kedge';
/** Where the installer places the binaries it ships. */
const BIN_DIR = '/usr/local/bin';
/**
 * A binary the installer placed, by its absolute path (under --root): never looked up on
 * PATH, which RHEL's sudo secure_path leaves /usr/local/bin out of.
 */
function placed(host, name) {
    return host.path(`${BIN_DIR}/${name}`);
}
/** kubectl arguments listing the phases of the cloudcore pods (install wait and verify). */
const CLOUDCORE_PHASES = [
    '-n',
    'kubeedge',
    'get',
    'pods',
    '-l',
    'kubeedge=cloudcore',
    '-o',
    'jsonpath={.items[*].status.phase}'
];
/** The bundle's images that `listed` (ctr images ls -q output) does not hold. */
function missingImages(listed, bundle) {
    const names = new Set(listed.split('\n').map(l => l.trim()));
    return bundle.images.filter(i => !names.has(i.name)).map(i => i.name);
}
/** How often a wait says what it waits for. */
const PROGRESS_SECONDS = 10;
/**
 * Polls `probe` once a second until it holds, or fails after --wait-timeout naming `what`
 * and a hint. At least every 10 s it prints what it waits for, the time so far and the limit.
 */
async function waitFor(ctx, what, hint, probe) {
    const limit = ctx.options.waitTimeout;
    const started = Date.now();
    let said = started;
    for (;;) {
        if (await probe())
            return;
        const now = Date.now();
        const elapsed = Math.round((now - started) / 1000);
        if (now - started > limit * 1000)
            throw new Error(`timed out after ${limit} s waiting for ${what}; ${hint} (a slow host: run again with --wait-timeout ${limit * 2})`);
        if (now - said >= PROGRESS_SECONDS * 1000) {
            ctx.say(`  still waiting for ${what}: ${elapsed} s so far, limit ${limit} s`);
            said = now;
        }
        await new Promise(r => setTimeout(r, 1000));
    }
}
/** Whether this install includes EdgeMesh (--no-edgemesh, the join file, the bundle). */
function edgemeshOn(ctx) {
    return (ctx.options.edgemesh ?? true) && ctx.bundle.edgemesh.enabled;
}
const bundleFile = (ctx, p) => (0,external_node_path_namespaceObject.join)(ctx.bundle.dir, p);
/** Imports the side's image archive, then checks that containerd lists every image. */
async function importImages(ctx, importer, lister) {
    const archive = bundleFile(ctx, `images/${ctx.bundle.side}-images.tar`);
    const mib = ((0,external_node_fs_namespaceObject.statSync)(archive).size / 1048576).toFixed(1);
    ctx.say(`  importing ${ctx.bundle.images.length} images (${mib} MiB) into containerd namespace k8s.io`);
    await ctx.host.run(importer[0], [
        ...importer[1],
        '--platform',
        `linux/${ctx.bundle.arch}`,
        archive
    ]);
    const missing = missingImages((await ctx.host.run(lister[0], lister[1])).stdout, ctx.bundle);
    if (missing.length > 0)
        throw new Error(`after the import, containerd does not list: ${missing.join(', ')}`);
    ctx.say(`  all ${ctx.bundle.images.length} images listed`);
}
//# sourceMappingURL=common.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/steps/edge-files.js
/** The files the edge install writes: the containerd unit and config, the CNI conflist. */

const CONTAINERD_UNIT = `[Unit]
Description=containerd container runtime (installed by kedge)
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;
function containerdConfig(sandboxImage, cgroupDriver) {
    // Checked with bundle.json too; here because the value lands inside a TOML string.
    if (!IMAGE.test(sandboxImage))
        throw new Error(`sandboxImage ${JSON.stringify(sandboxImage)} is not an image reference; not writing config.toml`);
    const image = sandboxImage.includes('/') && !sandboxImage.split('/')[0]?.includes('.')
        ? `docker.io/${sandboxImage}`
        : sandboxImage;
    return `# written by kedge: containerd >= 1.6 config, version 2
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${image}"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = ${cgroupDriver === 'systemd' ? 'true' : 'false'}

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/opt/cni/bin"
  conf_dir = "/etc/cni/net.d"
`;
}
const CNI_CONFLIST = `${JSON.stringify({
    cniVersion: '1.0.0',
    name: 'containerd-net',
    plugins: [
        {
            type: 'bridge',
            bridge: 'cni0',
            isGateway: true,
            ipMasq: true,
            promiscMode: true,
            ipam: {
                type: 'host-local',
                ranges: [[{ subnet: '10.88.0.0/16' }]],
                routes: [{ dst: '0.0.0.0/0' }]
            }
        },
        { type: 'portmap', capabilities: { portMappings: true } }
    ]
}, null, 2)}\n`;
//# sourceMappingURL=edge-files.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/config.js
/**
 * js-yaml, loaded on first use: it is 130 KB of the 300 KB bundled install.js, and plan and
 * --help never parse YAML. webpackMode "eager" keeps it inside install.js (no chunk file
 * beside it that a bundle would have to carry), evaluated only when first imported.
 */
function yamlLib() {
    return Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 243));
}
function getPath(doc, path) {
    let node = doc;
    for (const key of path.split('.')) {
        if (typeof node !== 'object' || node === null)
            return undefined;
        node = node[key];
    }
    return node;
}
/** Sets one key, creating the mappings on the way; other keys are untouched. */
function setPath(doc, path, value) {
    const keys = path.split('.');
    let node = doc;
    for (const key of keys.slice(0, -1)) {
        const next = node[key];
        if (typeof next !== 'object' || next === null || Array.isArray(next))
            node[key] = {};
        node = node[key];
    }
    node[keys[keys.length - 1] ?? ''] = value;
}
function sameValue(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}
/**
 * The edgecore settings the installer sets, given the cloud address: metaServer and
 * edgeStream (cloud tunnel port, 10004), and with EdgeMesh its DNS 169.254.96.16.
 */
function edgecoreSettings(cloudIp, streamPort = 10004, edgemesh = true) {
    return {
        'modules.metaManager.metaServer.enable': true,
        'modules.edgeStream.enable': true,
        'modules.edgeStream.server': `${cloudIp}:${streamPort}`,
        ...(edgemesh ? { 'modules.edged.tailoredKubeletConfig.clusterDNS': ['169.254.96.16'] } : {}),
        'modules.edged.tailoredKubeletConfig.clusterDomain': 'cluster.local'
    };
}
/** The settings of `wanted` that `yaml` does not have. */
async function missingSettings(yaml, wanted) {
    const doc = (await yamlLib()).load(yaml);
    return Object.entries(wanted)
        .filter(([path, value]) => !sameValue(getPath(doc, path), value))
        .map(([path]) => path);
}
/** Applies `wanted` to a YAML document, keeping every other key. */
async function mergeSettings(yaml, wanted, what) {
    const { dump, load } = await yamlLib();
    const doc = load(yaml);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        throw new Error(`${what} is not a YAML mapping; not editing it`);
    }
    for (const [path, value] of Object.entries(wanted))
        setPath(doc, path, value);
    return dump(doc, { lineWidth: -1, noRefs: true });
}
/**
 * The cloudcore ConfigMap with modules.dynamicController.enable = true in its
 * cloudcore.yaml, the rest of that document and of the ConfigMap kept as they were.
 */
async function enableDynamicController(configMapYaml) {
    const { dump, load } = await yamlLib();
    const cm = load(configMapYaml);
    const inner = cm?.data?.['cloudcore.yaml'];
    if (!cm || typeof inner !== 'string') {
        throw new Error('the cloudcore ConfigMap has no data["cloudcore.yaml"]; not editing it');
    }
    if (getPath(load(inner), 'modules.dynamicController.enable') === true)
        return { yaml: configMapYaml, changed: false };
    const data = cm.data ?? {};
    data['cloudcore.yaml'] = await mergeSettings(inner, { 'modules.dynamicController.enable': true }, 'cloudcore.yaml');
    const clean = cm;
    // Server-set fields would make kubectl replace fail or conflict.
    for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields'])
        delete clean.metadata?.[key];
    return { yaml: dump(cm, { lineWidth: -1, noRefs: true }), changed: true };
}
//# sourceMappingURL=config.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/steps/edge.js
/**
 * The edge install steps, in order: the runtime, its config, containerd, the images,
 * keadm join, then a read-back of edgecore.yaml.
 */




function ctr(ctx, args) {
    return [
        placed(ctx.host, 'ctr'),
        ['--address', ctx.options.containerdAddress, '--namespace', 'k8s.io', ...args]
    ];
}
function installRuntime(ctx) {
    const { host, bundle } = ctx;
    const bins = ['containerd', 'ctr', 'containerd-shim-runc-v2'];
    return {
        name: 'install-runtime',
        title: 'Install containerd, the runc shim, runc, CNI plugins, keadm and the containerd unit',
        inputs: { bundle: bundle.name },
        plan: [
            ...bins.map(b => `install bin/${b} -> /usr/local/bin/${b} (0755)`),
            'install bin/runc -> /usr/local/sbin/runc (0755)',
            'install bin/keadm -> /usr/local/bin/keadm (0755)',
            'install cni/bin/* -> /opt/cni/bin/ (0755)',
            'write /etc/systemd/system/containerd.service'
        ],
        run: () => {
            for (const b of bins)
                host.install(bundleFile(ctx, `bin/${b}`), `/usr/local/bin/${b}`, 0o755);
            host.install(bundleFile(ctx, 'bin/runc'), '/usr/local/sbin/runc', 0o755);
            host.install(bundleFile(ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755);
            for (const plugin of (0,external_node_fs_namespaceObject.readdirSync)(bundleFile(ctx, 'cni/bin')).sort()) {
                host.install(bundleFile(ctx, `cni/bin/${plugin}`), `/opt/cni/bin/${plugin}`, 0o755);
            }
            host.backup('/etc/systemd/system/containerd.service');
            host.write('/etc/systemd/system/containerd.service', CONTAINERD_UNIT);
            return Promise.resolve();
        }
    };
}
function containerdConfigStep(ctx) {
    const { host, bundle, options } = ctx;
    return {
        name: 'containerd-config',
        title: `Write /etc/containerd/config.toml (sandbox ${bundle.sandboxImage}, SystemdCgroup for ${options.cgroupDriver})`,
        inputs: { sandbox: bundle.sandboxImage, cgroup: options.cgroupDriver },
        plan: ['write /etc/containerd/config.toml (backup of an existing one: config.toml.kedge.bak)'],
        run: () => {
            host.backup('/etc/containerd/config.toml');
            host.write('/etc/containerd/config.toml', containerdConfig(bundle.sandboxImage, options.cgroupDriver));
            return Promise.resolve();
        }
    };
}
function cniConfig(ctx) {
    const { host } = ctx;
    return {
        name: 'cni-config',
        title: 'Write the CNI conflist (bridge cni0, host-local 10.88.0.0/16, portmap): node Ready needs it',
        inputs: { conflist: CNI_CONFLIST },
        plan: ['write /etc/cni/net.d/10-containerd-net.conflist'],
        run: () => {
            host.backup('/etc/cni/net.d/10-containerd-net.conflist');
            host.write('/etc/cni/net.d/10-containerd-net.conflist', CNI_CONFLIST);
            return Promise.resolve();
        }
    };
}
function startContainerd(ctx) {
    const { host, options } = ctx;
    return {
        name: 'start-containerd',
        title: 'Start containerd',
        inputs: {},
        plan: [
            'systemctl daemon-reload',
            'systemctl enable --now containerd',
            'systemctl restart containerd',
            `ctr --address ${options.containerdAddress} version (until it answers)`
        ],
        run: async () => {
            await host.run('systemctl', ['daemon-reload']);
            await host.run('systemctl', ['enable', '--now', 'containerd']);
            await host.run('systemctl', ['restart', 'containerd']);
            await waitFor(ctx, 'containerd to answer', 'see journalctl -u containerd', async () => {
                const [c, a] = ctr(ctx, ['version']);
                return (await host.run(c, a, { allowFailure: true })).code === 0;
            });
        }
    };
}
function importEdgeImages(ctx) {
    const { bundle, options } = ctx;
    return {
        name: 'import-images',
        title: `Import the ${bundle.images.length} images into containerd (k8s.io) and check each is listed`,
        inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
        plan: [
            `ctr --address ${options.containerdAddress} -n k8s.io images import --platform linux/${bundle.arch} images/edge-images.tar`,
            `ctr --address ${options.containerdAddress} -n k8s.io images ls -q (each of: ${bundle.images.map(i => i.name).join(', ')})`
        ],
        run: () => importImages(ctx, ctr(ctx, ['images', 'import']), ctr(ctx, ['images', 'ls', '-q']))
    };
}
/** The cloud's address, or a placeholder (plan without the join flags). */
const cloudIp = (ctx) => ctx.options.cloudIp ?? '<cloud-ip>';
/** The edgecore settings keadm join gets; clusterDNS 169.254.96.16 only with EdgeMesh. */
function joinSettings(ctx) {
    const settings = edgecoreSettings(cloudIp(ctx), ctx.options.tunnelPort, edgemeshOn(ctx));
    return Object.entries(settings)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? `{${v.join(',')}}` : String(v)}`)
        .join(',');
}
/** keadm join's arguments, the edgecore settings for EdgeMesh among them. */
function joinArgs(ctx) {
    const { bundle, options } = ctx;
    const cloud = cloudIp(ctx);
    return [
        'join',
        `--kubeedge-version=${bundle.versions.kubeedge}`,
        `--cloudcore-ipport=${cloud}:${options.cloudPort}`,
        `--certport=${options.certPort}`,
        `--token=${options.token ?? '<token>'}`,
        `--edgenode-name=${options.nodeName}`,
        `--remote-runtime-endpoint=unix://${options.containerdAddress}`,
        `--cgroupdriver=${options.cgroupDriver}`,
        ...(options.labels.length ? [`--labels=${options.labels.join(',')}`] : []),
        '--set',
        joinSettings(ctx)
    ];
}
const EDGECORE_BIN = '/usr/local/bin/edgecore';
const EDGECORE_UNIT = '/etc/systemd/system/edgecore.service';
function keadmJoin(ctx) {
    const { host, bundle, options } = ctx;
    const cloud = cloudIp(ctx);
    const args = joinArgs(ctx);
    return {
        name: 'keadm-join',
        title: `Join CloudCore at ${cloud}:${options.cloudPort} as ${options.nodeName} (keadm join, edgecore settings for EdgeMesh)`,
        inputs: {
            cloud,
            port: options.cloudPort,
            node: options.nodeName,
            token: options.token,
            cgroup: options.cgroupDriver,
            labels: options.labels,
            version: bundle.versions.kubeedge,
            edgemesh: edgemeshOn(ctx)
        },
        plan: [`keadm ${args.join(' ')}`],
        // keadm join writes these (KubeEdge v1.22 keadm: the binary from the installation
        // package, the unit through its systemd helper); keadm reset edge leaves the binary.
        claims: [EDGECORE_BIN, EDGECORE_UNIT],
        // A join cut short (or one with other inputs) leaves edgecore, its unit, certificates
        // and config; keadm join refuses a non-empty /etc/kubeedge, so reset first.
        recover: async () => {
            const left = host.exists(EDGECORE_UNIT) ||
                (host.exists('/etc/kubeedge') && (0,external_node_fs_namespaceObject.readdirSync)(host.path('/etc/kubeedge')).length > 0);
            if (!left)
                return;
            ctx.say('  a previous keadm join left edgecore behind: keadm reset edge first');
            await host.run(placed(host, 'keadm'), ['reset', 'edge', '--force']);
        },
        run: async () => {
            await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 });
        }
    };
}
const EDGE_CERTS = [
    '/etc/kubeedge/ca/rootCA.crt',
    '/etc/kubeedge/certs/server.crt',
    '/etc/kubeedge/certs/server.key'
];
function waitEdgecore(ctx) {
    const { host } = ctx;
    return {
        name: 'wait-edgecore',
        title: 'Wait until edgecore is active and its certificates exist',
        inputs: {},
        plan: [
            'systemctl is-active edgecore',
            'files /etc/kubeedge/ca/rootCA.crt, /etc/kubeedge/certs/server.crt, server.key'
        ],
        run: () => waitFor(ctx, 'edgecore to be active with its certificates', 'see journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002', async () => {
            const state = await host.run('systemctl', ['is-active', 'edgecore'], {
                allowFailure: true
            });
            return state.stdout.trim() === 'active' && EDGE_CERTS.every(f => host.exists(f));
        })
    };
}
function checkEdgecoreConfig(ctx) {
    const { host, options } = ctx;
    const settings = edgecoreSettings(cloudIp(ctx), options.tunnelPort, edgemeshOn(ctx));
    return {
        name: 'check-edgecore-config',
        title: `Read back edgecore.yaml; fix any setting that did not take (merge edit, backup first)${edgemeshOn(ctx) ? '' : '; no EdgeMesh: no clusterDNS'}`,
        inputs: { settings },
        plan: [
            `check /etc/kubeedge/config/edgecore.yaml for ${Object.keys(settings).join(', ')}`,
            'if any is off: back up, set that key, systemctl restart edgecore'
        ],
        run: async () => {
            const file = '/etc/kubeedge/config/edgecore.yaml';
            const missing = await missingSettings(host.read(file), settings);
            if (missing.length === 0) {
                ctx.say('  edgecore.yaml has every setting');
                return;
            }
            ctx.say(`  fixing in edgecore.yaml: ${missing.join(', ')}`);
            host.backup(file);
            const fix = Object.fromEntries(missing.map(k => [k, settings[k]]));
            host.write(file, await mergeSettings(host.read(file), fix, file), 0o644);
            await host.run('systemctl', ['restart', 'edgecore']);
        }
    };
}
function edgeSteps(ctx) {
    return [
        installRuntime(ctx),
        containerdConfigStep(ctx),
        cniConfig(ctx),
        startContainerd(ctx),
        importEdgeImages(ctx),
        keadmJoin(ctx),
        waitEdgecore(ctx),
        checkEdgecoreConfig(ctx)
    ];
}
//# sourceMappingURL=edge.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/steps/cloud.js
/**
 * The cloud install steps, in order: k3s (unless --kubeconfig), the namespace, the Istio
 * CRDs and the Service label for EdgeMesh, CloudCore, the edge token, EdgeMesh.
 */




const KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
/** kubectl arguments that mark the kubernetes Service for EdgeMesh's proxy. */
const LABEL_KUBERNETES_SERVICE = [
    'label',
    'service',
    'kubernetes',
    '-n',
    'default',
    'service.edgemesh.kubeedge.io/service-proxy-name=',
    '--overwrite'
];
const CRD_FILES = ['crd-destinationrule.yaml', 'crd-gateway.yaml', 'crd-virtualservice.yaml'];
const CRD_NAMES = [
    'destinationrules.networking.istio.io',
    'gateways.networking.istio.io',
    'virtualservices.networking.istio.io'
];
function cloud(ctx) {
    const { host, options } = ctx;
    const kubeconfig = options.kubeconfig ?? host.path(KUBECONFIG);
    const kubectl = (args) => options.kubeconfig
        ? ['kubectl', ['--kubeconfig', kubeconfig, ...args]]
        : [placed(host, 'k3s'), ['kubectl', ...args]];
    return {
        ctx,
        kubeconfig,
        kubectl,
        k: (args, allowFailure = false) => {
            const [c, a] = kubectl(args);
            return host.run(c, a, { allowFailure });
        },
        show: args => kubectl(args).flat().join(' ')
    };
}
function installTools(c) {
    const { host, bundle } = c.ctx;
    return {
        name: 'install-tools',
        title: `Install keadm ${bundle.versions.kubeedge} and helm to /usr/local/bin`,
        inputs: { bundle: bundle.name },
        plan: [
            'install bin/keadm -> /usr/local/bin/keadm (0755)',
            'install bin/helm -> /usr/local/bin/helm (0755)'
        ],
        run: () => {
            for (const tool of ['keadm', 'helm'])
                host.install(bundleFile(c.ctx, `bin/${tool}`), `/usr/local/bin/${tool}`, 0o755);
            return Promise.resolve();
        }
    };
}
/** k3s's air-gap docs: a dummy interface with a default route, for a host without one. */
const DUMMY_ROUTE = [
    ['link', 'add', 'dummy0', 'type', 'dummy'],
    ['link', 'set', 'dummy0', 'up'],
    ['addr', 'add', '203.0.113.254/31', 'dev', 'dummy0'],
    ['route', 'add', 'default', 'via', '203.0.113.255', 'dev', 'dummy0', 'metric', '1000']
];
/** Whether the host has an IPv4 default route (ip -4 route show default). */
async function hasDefaultRoute(host) {
    const out = await host.run('ip', ['-4', 'route', 'show', 'default'], { allowFailure: true });
    return out.code === 0 && out.stdout.trim() !== '';
}
function defaultRouteStep(c) {
    const { host } = c.ctx;
    return {
        name: 'default-route',
        title: 'Add a dummy default route if the host has none (--add-default-route; k3s needs one)',
        inputs: { route: DUMMY_ROUTE },
        plan: ['ip -4 route show default', ...DUMMY_ROUTE.map(args => `if none: ip ${args.join(' ')}`)],
        run: async () => {
            if (await hasDefaultRoute(host)) {
                c.ctx.say('  the host has a default route: nothing to add');
                return;
            }
            for (const args of DUMMY_ROUTE)
                await host.run('ip', args);
            c.ctx.say('  added dummy0 with a default route (not persistent: add it to the network config)');
        }
    };
}
/** servicelb: --keep-servicelb, else the bundle's k3s.servicelb, else off. */
function servicelbOn(ctx) {
    return ctx.options.servicelb ?? ctx.bundle.k3s?.servicelb ?? false;
}
function installK3s(c) {
    const { host, bundle, options } = c.ctx;
    const exec = [
        `--node-name=${options.nodeName}`,
        ...(options.disableTraefik ? ['--disable=traefik'] : []),
        // servicelb's svclb DaemonSet tolerates only control-plane taints, so it lands on every
        // edge node (klipper-lb, hostPorts 80/443) unless it is off.
        ...(servicelbOn(c.ctx) ? [] : ['--disable=servicelb'])
    ].join(' ');
    return {
        name: 'install-k3s',
        title: `Install k3s ${bundle.versions.k3s} offline`,
        inputs: { k3s: bundle.versions.k3s, exec },
        plan: [
            'install bin/k3s -> /usr/local/bin/k3s (0755)',
            'install images/cloud-images.tar -> /var/lib/rancher/k3s/agent/images/',
            `INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_EXEC="${exec}" sh bin/k3s-install.sh`
        ],
        run: async () => {
            host.install(bundleFile(c.ctx, 'bin/k3s'), '/usr/local/bin/k3s', 0o755);
            host.install(bundleFile(c.ctx, 'images/cloud-images.tar'), '/var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar', 0o644);
            await host.run('sh', [bundleFile(c.ctx, 'bin/k3s-install.sh')], {
                env: {
                    INSTALL_K3S_SKIP_DOWNLOAD: 'true',
                    INSTALL_K3S_EXEC: exec,
                    // Upstream's own knobs, so that --root holds what the script writes.
                    INSTALL_K3S_BIN_DIR: host.path('/usr/local/bin'),
                    INSTALL_K3S_SYSTEMD_DIR: host.path('/etc/systemd/system')
                },
                timeoutMs: 600_000
            });
        }
    };
}
function waitApi(c) {
    return {
        name: 'wait-api',
        title: 'Wait until the Kubernetes API is ready',
        inputs: {},
        plan: [c.show(['get', '--raw', '/readyz'])],
        run: () => waitFor(c.ctx, 'the Kubernetes API', 'see journalctl -u k3s', async () => (await c.k(['get', '--raw', '/readyz'], true)).code === 0)
    };
}
function importCloudImages(c) {
    const { bundle } = c.ctx;
    return {
        name: 'import-images',
        title: `Import the ${bundle.images.length} images into k3s's containerd (k8s.io) and check each is listed`,
        inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
        plan: [
            `k3s ctr -n k8s.io images import --platform linux/${bundle.arch} images/cloud-images.tar`,
            'k3s ctr -n k8s.io images ls -q'
        ],
        run: () => importImages(c.ctx, [placed(c.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'import']], [placed(c.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']])
    };
}
function namespace(c) {
    return {
        name: 'namespace',
        title: 'Create the namespace kubeedge',
        inputs: {},
        plan: [c.show(['create', 'namespace', 'kubeedge']) + ' (unless it exists)'],
        run: async () => {
            if ((await c.k(['get', 'namespace', 'kubeedge'], true)).code !== 0)
                await c.k(['create', 'namespace', 'kubeedge']);
        }
    };
}
function istioCrds(c) {
    return {
        name: 'istio-crds',
        title: 'Apply the Istio CRDs and wait until each is Established',
        inputs: { crds: CRD_FILES },
        plan: [
            ...CRD_FILES.map(f => c.show(['apply', '-f', `crds/istio/${f}`])),
            ...CRD_NAMES.map(n => c.show(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s']))
        ],
        run: async () => {
            for (const f of CRD_FILES)
                await c.k(['apply', '-f', bundleFile(c.ctx, `crds/istio/${f}`)]);
            for (const n of CRD_NAMES)
                await c.k(['wait', '--for=condition=Established', `crd/${n}`, '--timeout=120s']);
        }
    };
}
function labelKubernetesService(c) {
    return {
        name: 'label-kubernetes-service',
        title: 'Label the kubernetes Service for EdgeMesh',
        inputs: {},
        plan: [c.show(LABEL_KUBERNETES_SERVICE)],
        run: async () => {
            await c.k(LABEL_KUBERNETES_SERVICE);
        }
    };
}
/** The chart values keadm init sets: dynamicController, mosquitto and its image, components. */
function chartSets(bundle) {
    const sets = ['cloudCore.modules.dynamicController.enable=true'];
    sets.push(`mosquitto.enable=${String(bundle.mosquitto.enabled)}`);
    if (bundle.mosquitto.enabled) {
        const { repository, tag } = bundle.mosquitto;
        sets.push(`mosquitto.image.repository=${repository},mosquitto.image.tag=${tag}`);
    }
    if (bundle.cloudcore?.controllerManager === true)
        sets.push('controllerManager.enable=true');
    if (bundle.cloudcore?.admission === true)
        sets.push('admission.enable=true');
    return sets.flatMap(set => ['--set', set]);
}
function initArgs(c) {
    const { bundle, options } = c.ctx;
    return [
        'init',
        `--kubeedge-version=${bundle.versions.kubeedge}`,
        `--advertise-address=${options.advertiseAddress.join(',')}`,
        `--kube-config=${c.kubeconfig}`,
        ...chartSets(bundle)
    ];
}
/**
 * keadm init waits only 60 s for its Helm release; on a slow host it gives up while the
 * release still comes up. Its failure is noted, and the wait for cloudcore decides.
 */
async function runInit(c, args) {
    const { host } = c.ctx;
    const init = await host.run(placed(host, 'keadm'), args, {
        timeoutMs: 600_000,
        allowFailure: true
    });
    if (init.code === 0)
        return undefined;
    const why = host.mask((init.stderr || init.stdout).trim().split('\n').slice(-3).join(' '));
    c.ctx.say(`  keadm init exited ${init.code} (it waits only 60 s for its Helm release): ${why}; waiting for cloudcore to decide`);
    return `keadm init exited ${init.code}: ${why}`;
}
/** An existing cloudcore: turn dynamicController on in its ConfigMap, keep the rest. */
async function enableInExisting(c, configMap) {
    const { host } = c.ctx;
    c.ctx.say('  cloudcore exists: making sure dynamicController is on');
    const { yaml, changed } = await enableDynamicController(configMap);
    if (!changed)
        return;
    host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600);
    await c.k(['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)]);
    await c.k(['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore']);
}
/** Written before keadm init runs: the release it makes is kedge's to reset after a crash. */
const INIT_MARK = `${KEDGE_DIR}/keadm-init.started`;
/** After a crash inside keadm init: its half-made cloudcore release is reset first. */
async function resetCutShortInit(c, cutShort) {
    const { host } = c.ctx;
    if (!cutShort || !host.exists(INIT_MARK))
        return;
    c.ctx.say('  keadm init was cut short: keadm reset cloud before trying again');
    await host.run(placed(host, 'keadm'), [
        'reset',
        'cloud',
        '--force',
        `--kube-config=${c.kubeconfig}`
    ]);
}
function keadmInit(c) {
    const { host, bundle, options } = c.ctx;
    const args = initArgs(c);
    const getConfigMap = ['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml'];
    return {
        name: 'keadm-init',
        title: 'Install CloudCore (keadm init, dynamicController on), or turn dynamicController on in an existing one',
        inputs: {
            version: bundle.versions.kubeedge,
            advertise: options.advertiseAddress.join(','),
            mosquitto: bundle.mosquitto.enabled,
            sets: chartSets(bundle)
        },
        plan: [
            `keadm ${args.join(' ')}`,
            `if a cloudcore release exists: ${c.show(getConfigMap)}, set modules.dynamicController.enable in cloudcore.yaml, replace the ConfigMap, restart cloudcore`,
            c.show(['-n', 'kubeedge', 'get', 'pods', '-l', 'kubeedge=cloudcore']) + ' (until Running)'
        ],
        recover: cutShort => resetCutShortInit(c, cutShort),
        run: async () => {
            const existing = await c.k(getConfigMap, true);
            let initFailure;
            if (existing.code === 0 && existing.stdout.trim())
                await enableInExisting(c, existing.stdout);
            else {
                host.write(INIT_MARK, `keadm init started ${new Date().toISOString()}\n`, 0o600);
                initFailure = await runInit(c, args);
            }
            await waitFor(c.ctx, 'cloudcore to be Running', `${initFailure ? `${initFailure}; ` : ''}see kubectl -n kubeedge describe pod -l kubeedge=cloudcore`, async () => (await c.k(CLOUDCORE_PHASES, true)).stdout.split(/\s+/).includes('Running'));
        }
    };
}
/**
 * Mints a token (keadm gettoken) and writes the join file atomically (0600) with the
 * CloudCore address and the EdgeMesh choice. Returns the file's host path and the expiry.
 */
async function writeJoinFile(ctx, kubeconfig, cloudcoreIpport, edgemesh) {
    const { host } = ctx;
    const out = await host.run(placed(host, 'keadm'), ['gettoken', `--kube-config=${kubeconfig}`], {
        secretOutput: true
    });
    const token = out.stdout.trim().split('\n').pop() ?? '';
    host.addSecret(token);
    if (!TOKEN.test(token))
        throw new Error('keadm gettoken did not print a token (<64 hex>.<JWT>); is cloudcore running? see kubectl -n kubeedge get secret tokensecret');
    host.write(JOIN_FILE, formatJoinFile({ cloudcoreIpport, token, edgemesh }), 0o600);
    const exp = tokenExpiry(token);
    return { joinFile: host.path(JOIN_FILE), expires: exp ? rfc3339(exp) : undefined };
}
/** The lines that tell the operator how to hand the join file to an edge. */
function handoffLines(joinFile, expires) {
    return [
        `  join file: ${joinFile} (mode 0600; the token expires ${expires ?? 'at an unknown time'})`,
        '  copy it to each edge host (it holds a secret), then run there, in the edge bundle:',
        '    sudo ./install.sh edge --join-file edge-join.txt --yes',
        '  a day later? mint a fresh token here first: sudo ./install.sh token'
    ];
}
function edgeToken(c) {
    const { options } = c.ctx;
    const cloudcore = `${options.advertiseAddress[0] ?? ''}:10000`;
    return {
        name: 'edge-token',
        title: `Get the edge token and write the join file ${JOIN_FILE} (0600)`,
        inputs: { advertise: options.advertiseAddress.join(','), edgemesh: edgemeshOn(c.ctx) },
        plan: [
            `keadm gettoken --kube-config=${c.kubeconfig}`,
            `write ${JOIN_FILE} (0600: cloudcore-ipport=${cloudcore}, token, edgemesh=${String(edgemeshOn(c.ctx))}, expires)`
        ],
        run: async () => {
            const { joinFile, expires } = await writeJoinFile(c.ctx, c.kubeconfig, cloudcore, edgemeshOn(c.ctx));
            for (const line of handoffLines(joinFile, expires))
                c.ctx.say(line);
        }
    };
}
/** EdgeMesh's Helm values: the agent image, the PSK and the relay nodes. */
function edgemeshValues(c, psk) {
    const { bundle, options } = c.ctx;
    const relays = options.relayNodes.length
        ? options.relayNodes
        : [{ name: options.nodeName, addresses: options.advertiseAddress }];
    return [
        'agent:',
        `  image: ${JSON.stringify(`kubeedge/edgemesh-agent:${bundle.versions.edgemesh}`)}`,
        `  psk: ${JSON.stringify(psk)}`,
        '  relayNodes:',
        ...relays.flatMap(r => [
            `    - nodeName: ${JSON.stringify(r.name)}`,
            `      advertiseAddress: [${r.addresses.map(a => JSON.stringify(a)).join(', ')}]`
        ]),
        ''
    ].join('\n');
}
function edgemesh(c) {
    const { host, bundle, options } = c.ctx;
    const values = `${KEDGE_DIR}/edgemesh-values.yaml`;
    const pskFile = `${KEDGE_DIR}/edgemesh-psk.txt`;
    const relays = options.relayNodes.length
        ? options.relayNodes
        : [{ name: options.nodeName, addresses: options.advertiseAddress }];
    const rollout = ['-n', 'kubeedge', 'rollout', 'status', 'daemonset/edgemesh-agent'];
    return {
        name: 'edgemesh',
        title: `Install EdgeMesh ${bundle.versions.edgemesh} (PSK in ${pskFile}, relays ${relays.map(r => r.name).join(', ')})`,
        inputs: { relays, version: bundle.versions.edgemesh },
        plan: [
            `write ${pskFile} (0600; 32 random bytes, base64; kept on re-runs)`,
            `write ${values} (0600: agent.psk, agent.relayNodes, agent.image)`,
            `helm upgrade --install edgemesh charts/edgemesh.tgz -n kubeedge --kubeconfig ${c.kubeconfig} -f ${values}`,
            c.show([...rollout, '--timeout=300s'])
        ],
        run: async () => {
            if (!host.exists(pskFile))
                host.write(pskFile, `${(0,external_node_crypto_namespaceObject.randomBytes)(32).toString('base64')}\n`, 0o600);
            const psk = host.read(pskFile).trim();
            host.addSecret(psk);
            host.write(values, edgemeshValues(c, psk), 0o600);
            const chart = bundleFile(c.ctx, 'charts/edgemesh.tgz');
            await host.run(placed(host, 'helm'), [
                ...['upgrade', '--install', 'edgemesh', chart, '-n', 'kubeedge'],
                ...['--kubeconfig', c.kubeconfig, '-f', host.path(values)]
            ]);
            await c.k([...rollout, '--timeout=300s']);
        }
    };
}
/** The kubeconfig the cloud steps use: --kubeconfig, or k3s's. */
function cloudKubeconfig(ctx) {
    return cloud(ctx).kubeconfig;
}
function cloudSteps(ctx) {
    const c = cloud(ctx);
    const on = edgemeshOn(ctx);
    return [
        installTools(c),
        ...(ctx.options.addDefaultRoute && !ctx.options.kubeconfig ? [defaultRouteStep(c)] : []),
        ...(ctx.options.kubeconfig ? [] : [installK3s(c), waitApi(c), importCloudImages(c)]),
        namespace(c),
        ...(on ? [istioCrds(c), labelKubernetesService(c)] : []),
        keadmInit(c),
        edgeToken(c),
        ...(on ? [edgemesh(c)] : [])
    ];
}
//# sourceMappingURL=cloud.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/steps/index.js




//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/preflight.js
/**
 * Host checks before any change: each problem comes back as one line with its remedy,
 * and the installer stops with nothing changed (exit 1).
 */





/** EdgeMesh's relay tunnel port (edgemesh-agent on the relay nodes). */
const RELAY_PORT = 20006;
/** Whether `command` is an executable file in a PATH directory. */
function onPath(command) {
    return (process.env.PATH ?? '').split(external_node_path_namespaceObject.delimiter).some(dir => {
        try {
            (0,external_node_fs_namespaceObject.accessSync)((0,external_node_path_namespaceObject.join)(dir, command), external_node_fs_namespaceObject.constants.X_OK);
            return true;
        }
        catch {
            return false;
        }
    });
}
function portFree(port) {
    return new Promise(resolve => {
        const server = (0,external_node_net_namespaceObject.createServer)();
        server.once('error', () => {
            resolve(false);
        });
        server.listen(port, '0.0.0.0', () => {
            server.close(() => {
                resolve(true);
            });
        });
    });
}
function reachable(host, port) {
    return new Promise(resolve => {
        const socket = (0,external_node_net_namespaceObject.connect)({ host, port, timeout: 3000 });
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => {
            resolve(false);
        });
        socket.once('timeout', () => {
            socket.destroy();
            resolve(false);
        });
    });
}
/** Names of running processes (from /proc). */
function runningProcesses() {
    const names = new Set();
    try {
        for (const pid of (0,external_node_fs_namespaceObject.readdirSync)('/proc')) {
            if (!/^\d+$/.test(pid))
                continue;
            try {
                names.add((0,external_node_fs_namespaceObject.readFileSync)(`/proc/${pid}/comm`, 'utf8').trim());
            }
            catch {
                // gone meanwhile
            }
        }
    }
    catch {
        // no /proc
    }
    return names;
}
/** Root, arch and systemd. */
function basics(host, bundle) {
    const problems = [];
    const underRoot = host.root !== '' && host.root !== '/';
    if (!underRoot && process.getuid?.() !== 0)
        problems.push('not running as root: run it with sudo (or --root DIR for a prefix)');
    const mine = (0,external_node_os_namespaceObject.arch)() === 'x64' ? 'amd64' : (0,external_node_os_namespaceObject.arch)();
    if (mine !== bundle.arch)
        problems.push(`this host is ${mine}, the bundle is for ${bundle.arch}: use the ${mine} bundle`);
    if (!host.exists('/run/systemd/system'))
        problems.push('systemd is not running here (no /run/systemd/system): the installer needs systemd');
    return problems;
}
/** The ports the side will listen on, each with what listens there. */
function sidePorts(bundle, options) {
    if (bundle.side === 'edge')
        return [
            [10350, 'edgecore server'],
            ...(bundle.mosquitto.enabled ? [[1883, 'mosquitto']] : [])
        ];
    // The cloud runs EdgeMesh's relay when it is a relay node: by default, or named in --relay-node.
    const relay = edgemeshOn({ options, bundle }) &&
        (options.relayNodes.length === 0 || options.relayNodes.some(r => r.name === options.nodeName));
    return [
        [6443, 'the Kubernetes API (k3s)'],
        [10000, 'CloudHub websocket'],
        [10001, 'CloudHub quic'],
        [10002, 'CloudHub https: certificates'],
        [10003, 'CloudStream stream'],
        [10004, 'CloudStream tunnel: edgeStream'],
        ...(relay ? [[RELAY_PORT, 'EdgeMesh relay']] : [])
    ];
}
/** Ports the side listens on, and cluster processes already running. */
async function conflicts(bundle, options) {
    const problems = [];
    for (const [port, owner] of sidePorts(bundle, options)) {
        if (!(await portFree(port)))
            problems.push(`port ${port} (${owner}) is in use: find the owner with ss -ltnp 'sport = :${port}' and stop it`);
    }
    const procs = runningProcesses();
    const names = bundle.side === 'cloud' && options.kubeconfig ? ['edgecore'] : ['k3s', 'kubelet', 'edgecore'];
    for (const name of names) {
        if (procs.has(name))
            problems.push(`${name} is already running: uninstall it first (k3s-uninstall.sh, keadm reset) or use another host`);
    }
    return problems;
}
/**
 * The edge before keadm join: sudo, an empty /etc/kubeedge (unless a join of ours was cut
 * short: the re-run resets it) and a cloud that answers.
 */
async function edgeJoinReady(host, options, begun) {
    const problems = [];
    if (!onPath('sudo'))
        problems.push('sudo is not installed: keadm join runs `sudo systemctl ...` even as root; install the sudo package (apt-get install sudo, dnf install sudo)');
    const kubeedge = host.exists('/etc/kubeedge') && (0,external_node_fs_namespaceObject.readdirSync)(host.path('/etc/kubeedge')).length;
    if (kubeedge && !begun) {
        problems.push('/etc/kubeedge is not empty: keadm join needs it empty; run keadm reset (or move it away) first');
    }
    for (const port of [options.cloudPort, options.certPort]) {
        if (!(await reachable(options.cloudIp ?? '', port))) {
            problems.push(`the cloud ${options.cloudIp ?? ''}:${port} does not answer: check the address, the cloud firewall (10000 and 10002) and that cloudcore runs`);
        }
    }
    return problems;
}
/** k3s does not start without a default route (k3s air-gap docs). */
async function defaultRoute(host, options) {
    if (options.kubeconfig || options.addDefaultRoute || (await hasDefaultRoute(host)))
        return [];
    const commands = DUMMY_ROUTE.map(args => `ip ${args.join(' ')}`).join('; ');
    return [
        `no default route: k3s will not start without one. Add one as k3s's air-gap docs say (${commands}), or run again with --add-default-route`
    ];
}
/** The cloud ports beyond the join ports, which an edge needs later: warnings only. */
async function edgeLaterPorts(options, bundle) {
    const cloud = options.cloudIp ?? '';
    const warnings = [];
    if (!(await reachable(cloud, options.tunnelPort)))
        warnings.push(`the cloud ${cloud}:${options.tunnelPort} (CloudCore's tunnel, edgeStream: kubectl logs/exec) does not answer; open it in the cloud firewall`);
    if (edgemeshOn({ options, bundle }) && !(await reachable(cloud, RELAY_PORT)))
        warnings.push(`the cloud ${cloud}:${RELAY_PORT} (EdgeMesh relay) does not answer; open it where the relay runs (the cloud by default)`);
    return warnings;
}
function diskSpace(host, bundle) {
    const need = bundle.images.reduce((n, i) => n + i.size, 0) * 2;
    try {
        const fs = (0,external_node_fs_namespaceObject.statfsSync)(host.path('/'));
        if (fs.bavail * fs.bsize < need)
            return [
                `not enough disk space: ${Math.ceil(need / 1048576)} MiB needed under ${host.path('/')}`
            ];
    }
    catch {
        // statfs unavailable: skip
    }
    return [];
}
/** Host checks before any change; returns the problems, each with advice. */
async function preflight(host, bundle, options, state) {
    const done = (step) => state.steps[step] !== undefined;
    // A step cut short by a crash: what it left (edgecore, /etc/kubeedge) is its own, and the
    // re-run cleans it (keadm reset) before running it again.
    const begun = (step) => done(step) || state.started?.name === step;
    const startStep = bundle.side === 'cloud' ? (options.kubeconfig ? 'keadm-init' : 'install-k3s') : 'keadm-join';
    const edgeJoin = bundle.side === 'edge' && !done('keadm-join');
    const problems = [
        ...basics(host, bundle),
        ...(begun(startStep) ? [] : await conflicts(bundle, options)),
        ...(bundle.side === 'cloud' && !done('install-k3s') ? await defaultRoute(host, options) : []),
        ...(edgeJoin ? await edgeJoinReady(host, options, begun('keadm-join')) : []),
        ...diskSpace(host, bundle)
    ];
    const warnings = edgeJoin ? await edgeLaterPorts(options, bundle) : [];
    return { problems, warnings };
}
//# sourceMappingURL=preflight.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/prompts.js
/**
 * Questions on a TTY (never with --yes or --json): a typo is asked again, yes/no needs y or
 * n, and Ctrl-C or Ctrl-D ends the installer with one line and exit 130 (Interrupted).
 */

/** Ctrl-C or Ctrl-D at a prompt. */
class Interrupted extends Error {
    constructor() {
        super('interrupted at a prompt; nothing was changed');
        this.name = 'Interrupted';
    }
}
/** One line from the terminal; Ctrl-C (SIGINT) or Ctrl-D (end of input) rejects. */
function line(rl, question) {
    return new Promise((resolve, reject) => {
        const stop = () => {
            cleanup();
            reject(new Interrupted());
        };
        const cleanup = () => {
            rl.off('SIGINT', stop);
            rl.off('close', stop);
        };
        rl.once('SIGINT', stop);
        rl.once('close', stop);
        rl.question(question, answer => {
            cleanup();
            resolve(answer.trim());
        });
    });
}
/**
 * Asks until `check` accepts the answer (it returns the value, or a string saying what is
 * wrong, which is printed before asking again).
 */
async function ask(rl, question, check) {
    for (;;) {
        const result = check(await line(rl, question));
        if (typeof result !== 'string')
            return result.value;
        process.stdout.write(`  ${result}\n`);
    }
}
/** y/yes or n/no; an empty answer takes the default; anything else is asked again. */
function yesNo(fallback) {
    return answer => {
        const a = answer.toLowerCase();
        if (a === '')
            return { value: fallback };
        if (a === 'y' || a === 'yes')
            return { value: true };
        if (a === 'n' || a === 'no')
            return { value: false };
        return `please answer y or n (got "${answer}")`;
    };
}
function ipList(fallback) {
    return answer => {
        if (answer === '')
            return { value: fallback };
        const ips = answer.split(',').map(a => a.trim());
        const bad = ips.find(a => (0,external_node_net_namespaceObject.isIP)(a) === 0);
        return bad === undefined ? { value: ips } : `"${bad}" is not an IP address; try again`;
    };
}
async function withTerminal(body) {
    const { createInterface } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 481, 19));
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    try {
        return await body(rl);
    }
    finally {
        rl.close();
    }
}
/** On a TTY without --yes: confirm the advertise address and ask about EdgeMesh. */
async function askCloud(options, out) {
    await withTerminal(async (rl) => {
        const shown = options.advertiseAddress.join(',');
        options.advertiseAddress = await ask(rl, `Advertise address for edge nodes [${shown}]: `, ipList(options.advertiseAddress));
        options.edgemesh ??= await ask(rl, 'Install EdgeMesh? [Y/n]: ', yesNo(true));
    });
    out.line(`advertise address ${options.advertiseAddress.join(',')}; EdgeMesh ${options.edgemesh ? 'yes' : 'no'}`);
}
/** Uninstall on a TTY: confirm, saying what goes. */
function confirmUninstall(side) {
    const what = side === 'cloud'
        ? 'This removes CloudCore, EdgeMesh and k3s (with every workload) from this host.'
        : 'This resets edgecore and removes containerd, runc and the CNI plugins from this host.';
    return withTerminal(rl => ask(rl, `${what} Uninstall? [y/N]: `, yesNo(false)));
}
//# sourceMappingURL=prompts.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/record.js
/**
 * What an install records for a later upgrade, under /var/lib/kedge: a verbatim copy of the
 * installed bundle's meta/bundle.json with its sha256, and the install options the upgrade
 * must repeat (node name, addresses, relays, cgroup driver; never the token).
 */




const INSTALLED_BUNDLE = `${KEDGE_DIR}/bundle.json`;
const INSTALL_OPTIONS = `${KEDGE_DIR}/install-options.json`;
/** The options an upgrade repeats; the rest (token, prompts) are not needed again. */
const KEPT = [
    'containerdAddress',
    'advertiseAddress',
    'nodeName',
    'edgemesh',
    'relayNodes',
    'kubeconfig',
    'disableTraefik',
    'cloudIp',
    'cloudPort',
    'certPort',
    'cgroupDriver',
    'labels'
];
const sha256Text = (text) => (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text).digest('hex');
/** Writes the bundle.json copy and the options (after an install or an upgrade). */
function recordInstall(host, bundle, options) {
    host.write(INSTALLED_BUNDLE, (0,external_node_fs_namespaceObject.readFileSync)((0,external_node_path_namespaceObject.join)(bundle.dir, 'meta', 'bundle.json')), 0o644);
    const kept = {};
    for (const k of KEPT)
        if (options[k] !== undefined)
            kept[k] = options[k];
    host.write(INSTALL_OPTIONS, `${JSON.stringify(kept, null, 2)}\n`, 0o600);
}
/** What uninstall removes: the records, the upgrade journal and its backups. */
function forgetInstall(host) {
    for (const p of [
        INSTALLED_BUNDLE,
        INSTALL_OPTIONS,
        `${KEDGE_DIR}/upgrade.json`,
        `${KEDGE_DIR}/upgrade-backup`
    ])
        host.remove(p);
}
/**
 * The installed bundle as recorded, or null when this host has no record. With `under`, the
 * record as copied there (an upgrade's backup holds the one from before the upgrade).
 */
function readInstalled(host, under = '') {
    const [record, opts] = [`${under}${INSTALLED_BUNDLE}`, `${under}${INSTALL_OPTIONS}`];
    if (!host.exists(record))
        return null;
    const text = host.read(record);
    let bundle;
    let options = {};
    try {
        bundle = JSON.parse(text);
        if (host.exists(opts))
            options = JSON.parse(host.read(opts));
    }
    catch {
        throw new Error(`${host.path(record)} or ${host.path(opts)} is not valid JSON; put back the installed bundle's meta/bundle.json`);
    }
    return { bundle, sha256: sha256Text(text), options };
}
//# sourceMappingURL=record.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/runner.js
/**
 * The runner: the side's steps under the journal (a finished step with the same inputs is
 * skipped, so a re-run resumes), and uninstall, which undoes them in reverse order.
 * Every step is journaled as started before it runs, and every write before it happens
 * (journal.ts), so a run killed anywhere is resumed by running the same command again.
 */



function stepsFor(ctx) {
    return ctx.bundle.side === 'cloud' ? cloudSteps(ctx) : edgeSteps(ctx);
}
/** The time of the last line a step said, so that a silent step gets a heartbeat. */
class LastSaid {
    at = Date.now();
    touch() {
        this.at = Date.now();
    }
}
/**
 * Runs one step; whenever it has said nothing for 10 s (a long keadm join, an image
 * import), a line says what still runs and for how long.
 */
async function withHeartbeat(step, out, last) {
    const started = Date.now();
    last.touch();
    const beat = setInterval(() => {
        if (Date.now() - last.at < PROGRESS_SECONDS * 1000)
            return;
        last.touch();
        const seconds = Math.round((Date.now() - started) / 1000);
        out.line(`  still running ${step.name}: ${seconds} s so far`);
    }, 1000);
    try {
        await step.run();
    }
    finally {
        clearInterval(beat);
    }
}
/** Whether the step began (finished, or started and cut short). */
function begun(state, step) {
    return state.steps[step] !== undefined || state.started?.name === step;
}
async function runStep(ctx, state, step, hash, beat) {
    const { host } = ctx;
    const cutShort = state.started?.name === step.name;
    const changed = state.steps[step.name] !== undefined;
    state.started = { name: step.name, hash, at: new Date().toISOString() };
    saveState(host, state);
    crashPoint(step.name, 'start');
    if ((cutShort || changed) && step.recover)
        await step.recover(cutShort);
    for (const p of step.claims ?? [])
        host.claim(p);
    const started = Date.now();
    host.takeTouched();
    await withHeartbeat(step, beat.out, beat.last);
    crashPoint(step.name, 'end');
    const seconds = (Date.now() - started) / 1000;
    state.steps[step.name] = {
        hash,
        finishedAt: new Date().toISOString(),
        seconds,
        files: host.takeTouched()
    };
    delete state.started;
    saveState(host, state);
    return seconds;
}
/** Runs the steps under the journal. */
async function install(ctx, out) {
    const done = [];
    const { host } = ctx;
    const state = loadState(host);
    state.side = ctx.bundle.side;
    state.bundle = ctx.bundle.name;
    state.edgemesh = edgemeshOn(ctx);
    if (ctx.bundle.side === 'cloud') {
        state.cloudcore = `${ctx.options.advertiseAddress[0] ?? ''}:${ctx.options.cloudPort}`;
        if (ctx.options.kubeconfig)
            state.kubeconfig = ctx.options.kubeconfig;
    }
    journalWrites(host, state);
    const last = new LastSaid();
    const watched = {
        ...ctx,
        say: line => {
            last.touch();
            ctx.say(line);
        }
    };
    let previous = '';
    for (const [i, step] of stepsFor(watched).entries()) {
        const hash = stepHash(previous, step.inputs);
        previous = hash;
        const label = `[${i + 1}] ${step.name}`;
        if (state.steps[step.name]?.hash === hash && state.started?.name !== step.name) {
            out.line(`${label}: done before, skipped`);
            out.event({ step: step.name, status: 'skipped' });
            done.push({ step: step.name, status: 'skipped' });
            continue;
        }
        out.line(`${label}: ${step.title}`);
        out.event({ step: step.name, status: 'running' });
        const seconds = await runStep(watched, state, step, hash, { out, last });
        out.line(`${label}: ok (${seconds.toFixed(1)} s)`);
        out.event({ step: step.name, status: 'ok', seconds });
        done.push({ step: step.name, status: 'ok', seconds });
        if (process.env.KEDGE_FAIL_AFTER === step.name) {
            out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`);
            process.exit(1);
        }
    }
    recordInstall(host, ctx.bundle, ctx.options);
    host.setGuard(undefined);
    return done;
}
/** The cluster-side undo of a cloud install: EdgeMesh's release, CloudCore, k3s. */
function cloudUndo(ctx, state) {
    const { host, options } = ctx;
    const kubeconfig = options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml');
    const did = (s) => begun(state, s);
    return [
        ...(did('edgemesh')
            ? [
                [
                    placed(host, 'helm'),
                    ['uninstall', 'edgemesh', '-n', 'kubeedge', '--kubeconfig', kubeconfig]
                ]
            ]
            : []),
        ...(did('keadm-init')
            ? [[placed(host, 'keadm'), ['reset', 'cloud', '--force', `--kube-config=${kubeconfig}`]]]
            : []),
        ...(did('install-k3s') && host.exists('/usr/local/bin/k3s-uninstall.sh')
            ? [['sh', [host.path('/usr/local/bin/k3s-uninstall.sh')]]]
            : [])
    ];
}
/** The edge's undo: the images (--purge), keadm reset edge, containerd stopped. */
function edgeUndo(ctx, state) {
    const { host, options, bundle } = ctx;
    const ctr = ['--address', options.containerdAddress, '--namespace', 'k8s.io'];
    const did = (s) => begun(state, s);
    return [
        ...(options.purge && did('import-images')
            ? [[placed(host, 'ctr'), [...ctr, 'images', 'rm', ...bundle.images.map(i => i.name)]]]
            : []),
        ...(did('keadm-join') ? [[placed(host, 'keadm'), ['reset', 'edge', '--force']]] : []),
        ...(did('start-containerd') ? [['systemctl', ['disable', '--now', 'containerd']]] : [])
    ];
}
/** What uninstall does, in order: commands, then files restored or removed, then directories. */
function undoPlan(ctx, state, kept) {
    const legacy = Object.values(state.steps).flatMap(r => r.files);
    const files = [...new Set([...(state.written ?? []), ...legacy])]
        .filter(f => !kept.has(f) && f !== STATE_FILE)
        .reverse();
    return {
        commands: ctx.bundle.side === 'cloud' ? cloudUndo(ctx, state) : edgeUndo(ctx, state),
        files,
        dirs: [...(state.dirs ?? [])].reverse()
    };
}
async function uninstall(ctx, out) {
    const { host, options, bundle } = ctx;
    const state = loadState(host);
    const keptFiles = [`${KEDGE_DIR}/edge-join.txt`, `${KEDGE_DIR}/edgemesh-psk.txt`];
    const kept = new Set(options.purge ? [] : keptFiles);
    const plan = undoPlan(ctx, state, kept);
    if (options.dryRun) {
        out.line(`uninstall plan for ${bundle.name} on ${host.path('/')}; nothing is changed:`);
        for (const [c, a] of plan.commands)
            out.line(`  run ${host.mask([c, ...a].join(' '))}`);
        for (const f of plan.files)
            out.line(`  ${(state.backedUp ?? []).includes(f) ? 'restore' : 'remove'} ${f}`);
        out.line(`  remove ${STATE_FILE}, then each directory kedge made, if empty`);
        return [];
    }
    for (const [c, a] of plan.commands)
        await host.run(c, a, { allowFailure: true });
    for (const f of plan.files)
        host.restore(f);
    // Also those a later run reused rather than wrote.
    if (options.purge)
        for (const f of keptFiles)
            host.remove(f);
    const undone = Object.keys(state.steps).reverse();
    for (const name of undone)
        out.line(`undone: ${name}`);
    if (bundle.side === 'edge' && begun(state, 'start-containerd'))
        await host.run('systemctl', ['daemon-reload'], { allowFailure: true });
    host.remove(STATE_FILE);
    forgetInstall(host);
    for (const dir of plan.dirs)
        host.removeEmptyDir(dir);
    // Last: logging would write it again.
    if (options.purge)
        host.remove(`/var/log/kubeedge-${bundle.side}-install.log`);
    out.line(options.purge
        ? 'uninstalled; images, logs, token and PSK removed too (--purge)'
        : `uninstalled; kept the log, the images in containerd, ${KEDGE_DIR}/edge-join.txt and edgemesh-psk.txt (use --purge to remove them)`);
    return undone;
}
//# sourceMappingURL=runner.js.map
;// CONCATENATED MODULE: ./packages/bundle/lib/delta/check.js
/**
 * What a host needs to know about a delta bundle before it installs from it. Pure functions
 * over bundle.json and command output, with no dependencies, so the installer can use them:
 * is this a delta, which base does it need, and are the base's blobs still in containerd's
 * content store.
 */
/** The delta section of a bundle.json, or null for a full bundle. */
function deltaSection(bundleJson) {
    const delta = bundleJson?.delta;
    if (!delta)
        return null;
    const base = delta.base;
    if (!base?.name ||
        !/^[a-f0-9]{64}$/.test(base.sha256 ?? '') ||
        !delta.target ||
        !delta.omittedBlobs) {
        throw new Error('bundle.json has a delta section without a base name and sha256: a broken delta; use the full bundle');
    }
    return delta;
}
/** The digests `ctr -n k8s.io content ls -q` prints (or the DIGEST column of `content ls`). */
function parseContentList(output) {
    const found = new Set();
    for (const m of output.matchAll(/sha256:[a-f0-9]{64}/g))
        found.add(m[0]);
    return found;
}
/** The omitted blobs that `present` (the content store) lacks. */
function missingBaseBlobs(delta, present) {
    return delta.omittedBlobs.map(b => b.digest).filter(d => !present.has(d));
}
/**
 * Why a host must not install this delta, or null when it may. `installed` is the name of
 * the bundle the host runs (from its state), `missing` what missingBaseBlobs found.
 */
function deltaRefusal(delta, installed, missing) {
    const full = `${delta.target.name}.tar.gz`;
    if (installed !== delta.base.name) {
        return `this is a delta from ${delta.base.name}, but this host ${installed ? `runs ${installed}` : 'has no kedge bundle installed'}; install the full bundle ${full} instead`;
    }
    if (missing.length > 0) {
        return `this delta leaves out ${missing.length} image blob(s) that the base ${delta.base.name} carried, and containerd no longer has them (e.g. ${missing.slice(0, 3).join(', ')}): were the base images removed? Install the full bundle ${full} instead`;
    }
    return null;
}
//# sourceMappingURL=check.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/backup.js
/**
 * The upgrade's own backup: before any change, a copy of every host file the upgrade may
 * replace, in /var/lib/kedge/upgrade-backup/<installed bundle>/, with a list of which
 * existed. Rollback puts them back and removes the ones that did not exist.
 */



const backupDir = (from) => `${KEDGE_DIR}/upgrade-backup/${from}`;
/** Copies each path (those that exist) into `dir`; writes the listing last. */
function backupFiles(host, dir, paths) {
    const listing = { files: [] };
    for (const p of paths) {
        const full = host.path(p);
        if (!(0,external_node_fs_namespaceObject.existsSync)(full)) {
            listing.files.push({ path: p, existed: false });
            continue;
        }
        const into = host.path((0,external_node_path_namespaceObject.join)(dir, 'files', p));
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(into), { recursive: true });
        (0,external_node_fs_namespaceObject.copyFileSync)(full, `${into}.kedge-tmp`);
        (0,external_node_fs_namespaceObject.renameSync)(`${into}.kedge-tmp`, into);
        listing.files.push({ path: p, existed: true, mode: (0,external_node_fs_namespaceObject.statSync)(full).mode & 0o7777 });
    }
    host.write((0,external_node_path_namespaceObject.join)(dir, 'files.json'), `${JSON.stringify(listing, null, 2)}\n`, 0o600);
    host.log(`upgrade backup: ${listing.files.filter(f => f.existed).length} files in ${dir}`);
    return listing.files.filter(f => f.existed).length;
}
/** Puts every backed-up file back; removes those that did not exist. Returns what it did. */
function restoreFiles(host, dir) {
    const listingFile = (0,external_node_path_namespaceObject.join)(dir, 'files.json');
    if (!host.exists(listingFile))
        throw new Error(`no upgrade backup at ${host.path(dir)}: nothing to restore files from`);
    const listing = JSON.parse(host.read(listingFile));
    const done = [];
    for (const f of listing.files) {
        const full = host.path(f.path);
        if (!f.existed) {
            if ((0,external_node_fs_namespaceObject.existsSync)(full)) {
                host.remove(f.path);
                done.push(`removed ${f.path} (the upgrade added it)`);
            }
            continue;
        }
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(full), { recursive: true });
        (0,external_node_fs_namespaceObject.copyFileSync)(host.path((0,external_node_path_namespaceObject.join)(dir, 'files', f.path)), `${full}.kedge-tmp`);
        (0,external_node_fs_namespaceObject.chmodSync)(`${full}.kedge-tmp`, f.mode ?? 0o644);
        (0,external_node_fs_namespaceObject.renameSync)(`${full}.kedge-tmp`, full);
        done.push(`restored ${f.path}`);
    }
    for (const line of done)
        host.log(`rollback: ${line}`);
    return done;
}
//# sourceMappingURL=backup.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/context.js
/** What every upgrade step shares: the install context, the installed bundle and the plan. */



/** Whether the bundle carries this file (a delta leaves out unchanged ones). */
const bundleHas = (ctx, p) => (0,external_node_fs_namespaceObject.existsSync)(bundleFile(ctx, p));
const sha = (file) => (0,external_node_crypto_namespaceObject.createHash)('sha256').update((0,external_node_fs_namespaceObject.readFileSync)(file)).digest('hex');
/** Whether the bundle's copy of `from` differs from the host file `to` (or that is absent). */
function differs(ctx, from, to) {
    if (!bundleHas(ctx, from))
        return false;
    if (!ctx.host.exists(to))
        return true;
    return sha(bundleFile(ctx, from)) !== sha(ctx.host.path(to));
}
/** `v1.22.2` for keadm's flags, whether the bundle says 1.22.2 or v1.22.2. */
const vVersion = (v) => (v.startsWith('v') ? v : `v${v}`);
//# sourceMappingURL=context.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/plan.js
/** The components each side's bundle pins, in the order the upgrade handles them. */
const COMPONENTS = {
    cloud: ['k3s', 'kubeedge', 'edgemesh'],
    edge: ['containerd', 'runc', 'cni', 'kubeedge']
};
/** Components whose minor must move one at a time. */
const ONE_MINOR = new Set(['kubeedge', 'k3s']);
/** [major, minor, patch, k3s build] of v1.22.0, 1.34.2+k3s1, 1.7.24. */
function parseVersion(v) {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:\+k3s(\d+))?/.exec(v.trim());
    if (!m)
        return null;
    return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
}
function compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0)
            return Math.sign(d);
    }
    return 0;
}
const version = (b, c) => b.versions[c] ?? '(none)';
function planChanges(from, to) {
    return COMPONENTS[to.side].map(c => ({
        component: c,
        from: version(from, c),
        to: version(to, c)
    }));
}
const changed = (changes, component) => changes.some(c => c.component === component && c.from !== c.to);
/** Why this move is refused (downgrade, skipped minor, other side or arch), or null. */
function planRefusal(from, to) {
    if (from.side !== to.side || from.arch !== to.arch)
        return `this host runs the ${from.side} ${from.arch} bundle ${from.name}; upgrade it with a ${from.side} ${from.arch} bundle, not ${to.name}`;
    for (const c of planChanges(from, to)) {
        const a = parseVersion(c.from);
        const b = parseVersion(c.to);
        if (!a || !b) {
            if (c.from !== c.to)
                return `${c.component}: cannot compare ${c.from} with ${c.to}`;
            continue;
        }
        if (compare(b, a) < 0)
            return `${c.component} ${c.to} is older than the installed ${c.from}: kedge does not downgrade; use upgrade --rollback right after an upgrade, or uninstall and install ${to.name}`;
        const [ma = 0, mi = 0] = a;
        const [mb = 0, nb = 0] = b;
        if (ONE_MINOR.has(c.component) && (mb !== ma || nb > mi + 1)) {
            const next = `${ma}.${mi + 1}`;
            return `${c.component} ${c.from} -> ${c.to} skips a minor; upgrade one minor at a time: first to the newest ${c.component} ${next}.x bundle, then to ${to.name}`;
        }
    }
    return null;
}
/** The plan as lines: "kubeedge  v1.22.0 -> v1.22.2", "containerd  1.7.24 (unchanged)". */
function planLines(from, to) {
    return [
        `upgrade ${from.name} -> ${to.name}`,
        ...planChanges(from, to).map(c => `  ${c.component.padEnd(11)} ${c.from === c.to ? `${c.from} (unchanged)` : `${c.from} -> ${c.to}`}`)
    ];
}
//# sourceMappingURL=plan.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/edge.js
/**
 * The edge upgrade steps: back up, the changed runtime files (containerd, runc, CNI), the
 * new images, keadm backup + keadm upgrade edge --toVersion, then wait for edgecore and
 * read back the edgecore.yaml settings EdgeMesh needs (repair them if they went).
 */








const EDGECORE_YAML = '/etc/kubeedge/config/edgecore.yaml';
/**
 * keadm's lock (util/idempotency, KubeEdge v1.22): upgrade, backup and rollback edge create
 * it first and remove it when done, and refuse to run while it exists. A keadm killed half
 * way leaves it behind.
 */
const KEADM_LOCK = '/etc/kubeedge/idempotency_record';
const CONTAINERD_BINS = ['containerd', 'ctr', 'containerd-shim-runc-v2'];
function edge_ctr(ctx, args) {
    return [
        placed(ctx.host, 'ctr'),
        ['--address', ctx.options.containerdAddress, '--namespace', 'k8s.io', ...args]
    ];
}
/** Bundle file -> host path, for every runtime file the bundle carries. */
function runtimeFiles(ctx) {
    const cni = bundleHas(ctx, 'cni/bin') ? (0,external_node_fs_namespaceObject.readdirSync)(bundleFile(ctx, 'cni/bin')).sort() : [];
    return [
        ...CONTAINERD_BINS.map((b) => [`bin/${b}`, `/usr/local/bin/${b}`]),
        ['bin/runc', '/usr/local/sbin/runc'],
        ...cni.map((p) => [`cni/bin/${p}`, `/opt/cni/bin/${p}`])
    ];
}
function backupStep(u) {
    const { host } = u.ctx;
    const paths = [
        ...runtimeFiles(u.ctx).map(([, to]) => to),
        '/usr/local/bin/keadm',
        '/usr/local/bin/edgecore',
        EDGECORE_YAML,
        INSTALLED_BUNDLE,
        INSTALL_OPTIONS
    ];
    return {
        name: 'upgrade-backup',
        title: `Back up what the upgrade changes into ${u.backup}, then keadm backup edge`,
        inputs: { from: u.installed.bundle.name, paths },
        plan: [
            `copy ${paths.length} files (runtime, keadm, edgecore.yaml, kedge records) to ${u.backup}/files/`,
            `keadm backup edge --config ${EDGECORE_YAML} (edgecore, edgecore.yaml, edgecore.db -> /etc/kubeedge/backup/<version>/)`
        ],
        run: async () => {
            u.ctx.say(`  backed up ${backupFiles(host, u.backup, paths)} files to ${host.path(u.backup)}`);
            if (changed(u.changes, 'kubeedge'))
                await host.run(placed(host, 'keadm'), [
                    'backup',
                    'edge',
                    `--config=${host.path(EDGECORE_YAML)}`
                ]);
        }
    };
}
function runtimeStep(u) {
    const { host } = u.ctx;
    const files = runtimeFiles(u.ctx);
    return {
        name: 'upgrade-runtime',
        title: 'Replace the containerd, runc and CNI files that changed; restart containerd',
        inputs: { to: u.ctx.bundle.name },
        plan: [
            ...files
                .filter(([from, to]) => differs(u.ctx, from, to))
                .map(([f, t]) => `install ${f} -> ${t} (0755)`),
            'systemctl restart containerd (when containerd, its shim or runc changed)'
        ],
        run: async () => {
            const replaced = files.filter(([from, to]) => differs(u.ctx, from, to));
            for (const [from, to] of replaced)
                host.install(bundleFile(u.ctx, from), to, 0o755);
            u.ctx.say(`  replaced ${replaced.length} runtime files`);
            if (replaced.some(([f]) => f.startsWith('bin/'))) {
                await host.run('systemctl', ['restart', 'containerd']);
                await waitFor(u.ctx, 'containerd to answer', 'see journalctl -u containerd', async () => {
                    const [c, a] = edge_ctr(u.ctx, ['version']);
                    return (await host.run(c, a, { allowFailure: true })).code === 0;
                });
            }
        }
    };
}
function imagesStep(u) {
    const { bundle, options } = u.ctx;
    return {
        name: 'upgrade-images',
        title: `Import the ${bundle.images.length} images of the new bundle (a delta: only its new layers) and check each is listed`,
        inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
        plan: [
            `ctr --address ${options.containerdAddress} -n k8s.io images import --platform linux/${bundle.arch} images/edge-images.tar`
        ],
        run: () => importImages(u.ctx, edge_ctr(u.ctx, ['images', 'import']), edge_ctr(u.ctx, ['images', 'ls', '-q']))
    };
}
function keadmUpgrade(u) {
    const { host, bundle } = u.ctx;
    const to = vVersion(bundle.versions.kubeedge);
    const args = [
        'upgrade',
        'edge',
        `--toVersion=${to}`,
        `--config=${host.path(EDGECORE_YAML)}`,
        '--force'
    ];
    const image = bundle.images.find(i => i.name.endsWith(`kubeedge/installation-package:${to}`))?.name ??
        `docker.io/kubeedge/installation-package:${to}`;
    return {
        name: 'keadm-upgrade',
        title: `Upgrade edgecore to ${to} (keadm upgrade edge, from the preloaded ${image})`,
        inputs: { to },
        plan: [`install bin/keadm -> /usr/local/bin/keadm (0755)`, `keadm ${args.join(' ')}`],
        // A keadm upgrade edge killed half way left its lock: no keadm runs now (kedge runs it).
        recover: () => {
            if (host.exists(KEADM_LOCK)) {
                u.ctx.say(`  a keadm upgrade edge was cut short and left ${KEADM_LOCK}: removing it`);
                host.remove(KEADM_LOCK);
            }
            return Promise.resolve();
        },
        run: async () => {
            const listed = (await host.run(...edge_ctr(u.ctx, ['images', 'ls', '-q']))).stdout;
            if (!listed.split('\n').some(l => l.trim() === image))
                throw new Error(`containerd has no ${image}: keadm upgrade edge would try to pull it, and this host is offline; use a bundle that carries it`);
            if (bundleHas(u.ctx, 'bin/keadm'))
                host.install(bundleFile(u.ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755);
            await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 });
        }
    };
}
/** Reads edgecore.yaml back after the upgrade and repairs the EdgeMesh settings. */
function configStep(u) {
    const { host, options } = u.ctx;
    const settings = edgecoreSettings(options.cloudIp ?? '');
    return {
        name: 'upgrade-edgecore-config',
        title: 'Read back edgecore.yaml; repair any EdgeMesh setting the upgrade lost',
        inputs: { settings },
        plan: [
            `check ${EDGECORE_YAML} for ${Object.keys(settings).join(', ')}; repair, restart edgecore`
        ],
        run: async () => {
            const missing = await missingSettings(host.read(EDGECORE_YAML), settings);
            if (missing.length === 0) {
                u.ctx.say('  edgecore.yaml kept every EdgeMesh setting');
                return;
            }
            u.ctx.say(`  repairing in edgecore.yaml: ${missing.join(', ')}`);
            const fix = Object.fromEntries(missing.map(k => [k, settings[k]]));
            host.write(EDGECORE_YAML, await mergeSettings(host.read(EDGECORE_YAML), fix, EDGECORE_YAML), 0o644);
            await host.run('systemctl', ['restart', 'edgecore']);
        }
    };
}
function edgeUpgradeSteps(u) {
    const wait = edgeSteps(u.ctx).filter(s => s.name === 'wait-edgecore');
    const ke = changed(u.changes, 'kubeedge');
    return [
        backupStep(u),
        runtimeStep(u),
        imagesStep(u),
        ...(ke ? [keadmUpgrade(u), ...wait] : []),
        configStep(u)
    ];
}
//# sourceMappingURL=edge.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/journal.js

const UPGRADE_FILE = '/var/lib/kedge/upgrade.json';
function loadUpgrade(host) {
    if (!host.exists(UPGRADE_FILE))
        return null;
    try {
        return JSON.parse(host.read(UPGRADE_FILE));
    }
    catch {
        throw new Error(`${host.path(UPGRADE_FILE)} is not valid JSON; move it away to start over`);
    }
}
function saveUpgrade(host, state) {
    host.write(UPGRADE_FILE, `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
/**
 * Runs the steps; a finished step with the same chained hash is skipped (resume). A step that
 * began in a killed run gets its recover() first, as install's do (runner.ts).
 */
async function runUpgradeSteps(host, state, steps, out) {
    let previous = '';
    for (const [i, step] of steps.entries()) {
        const hash = stepHash(previous, step.inputs);
        previous = hash;
        const label = `[${i + 1}] ${step.name}`;
        if (state.steps[step.name]?.hash === hash) {
            out.line(`${label}: done before, skipped`);
            out.event({ step: step.name, status: 'skipped' });
            continue;
        }
        out.line(`${label}: ${step.title}`);
        out.event({ step: step.name, status: 'running' });
        // Began before and not finished (a killed run), or finished with other inputs.
        const cutShort = (state.started ?? []).includes(step.name) && !state.steps[step.name];
        const changed = state.steps[step.name] !== undefined;
        state.started = [...new Set([...(state.started ?? []), step.name])];
        saveUpgrade(host, state);
        crashPoint(step.name, 'start');
        if ((cutShort || changed) && step.recover)
            await step.recover(cutShort);
        const started = Date.now();
        host.takeTouched();
        await step.run();
        crashPoint(step.name, 'end');
        const seconds = (Date.now() - started) / 1000;
        const files = host.takeTouched();
        state.steps[step.name] = { hash, finishedAt: new Date().toISOString(), seconds, files };
        saveUpgrade(host, state);
        out.line(`${label}: ok (${seconds.toFixed(1)} s)`);
        out.event({ step: step.name, status: 'ok', seconds });
        if (process.env.KEDGE_FAIL_AFTER === step.name) {
            out.line(`KEDGE_FAIL_AFTER=${step.name}: stopping here, as asked (crash test)`);
            process.exit(1);
        }
    }
}
//# sourceMappingURL=journal.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/cloud.js
/**
 * The cloud upgrade steps: back up (files, the cloudcore ConfigMap), import the new images
 * into k3s's containerd, k3s as k3s documents for air-gapped hosts (new binary and images,
 * install.sh again with INSTALL_K3S_SKIP_DOWNLOAD and a forced restart), `keadm upgrade
 * cloud --reuse-values` with the dynamicController --set repeated, then EdgeMesh with
 * `helm upgrade`.
 */






const K3S_IMAGES = '/var/lib/rancher/k3s/agent/images/kedge-cloud-images.tar';
const VALUES = `${KEDGE_DIR}/edgemesh-values.yaml`;
const GET_CM = ['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml'];
const kubeconfig = (u) => u.ctx.options.kubeconfig ?? u.ctx.host.path('/etc/rancher/k3s/k3s.yaml');
function k(u, args, allowFailure = false) {
    const { host, options } = u.ctx;
    return options.kubeconfig
        ? host.run('kubectl', ['--kubeconfig', options.kubeconfig, ...args], { allowFailure })
        : host.run(placed(host, 'k3s'), ['kubectl', ...args], { allowFailure });
}
function cloud_backupStep(u) {
    const { host } = u.ctx;
    const paths = [
        '/usr/local/bin/k3s',
        '/usr/local/bin/keadm',
        K3S_IMAGES,
        VALUES,
        INSTALLED_BUNDLE,
        INSTALL_OPTIONS
    ];
    return {
        name: 'upgrade-backup',
        title: `Back up what the upgrade changes into ${u.backup}, with the cloudcore ConfigMap`,
        inputs: { from: u.installed.bundle.name, paths },
        plan: [
            `copy ${paths.join(', ')} to ${u.backup}/files/`,
            `kubectl ${GET_CM.join(' ')} > ${u.backup}/cloudcore-configmap.yaml (0600)`,
            `helm status cloudcore|edgemesh -n kubeedge -o json: the revisions rollback returns to`
        ],
        run: async () => {
            u.ctx.say(`  backed up ${backupFiles(host, u.backup, paths)} files to ${host.path(u.backup)}`);
            const cm = await k(u, GET_CM, true);
            if (cm.code === 0)
                host.write(`${u.backup}/cloudcore-configmap.yaml`, cm.stdout, 0o600);
            const revisions = {};
            for (const release of ['cloudcore', 'edgemesh']) {
                const status = await host.run(placed(host, 'helm'), ['status', release, '-n', 'kubeedge', '--kubeconfig', kubeconfig(u), '-o', 'json'], { allowFailure: true });
                if (status.code === 0)
                    revisions[release] = JSON.parse(status.stdout).version;
            }
            host.write(`${u.backup}/helm-revisions.json`, `${JSON.stringify(revisions)}\n`, 0o600);
            u.ctx.say(`  helm revisions before the upgrade: ${JSON.stringify(revisions)}`);
        }
    };
}
function cloud_imagesStep(u) {
    const { bundle } = u.ctx;
    return {
        name: 'upgrade-images',
        title: `Import the ${bundle.images.length} images of the new bundle into k3s's containerd first`,
        inputs: { images: bundle.images.map(i => `${i.name}@${i.manifestDigest}`) },
        plan: [
            `k3s ctr -n k8s.io images import --platform linux/${bundle.arch} images/cloud-images.tar`
        ],
        run: () => importImages(u.ctx, [placed(u.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'import']], [placed(u.ctx.host, 'k3s'), ['ctr', '-n', 'k8s.io', 'images', 'ls', '-q']])
    };
}
function k3sStep(u) {
    const { host, bundle, options } = u.ctx;
    const exec = [
        `--node-name=${options.nodeName}`,
        ...(options.disableTraefik ? ['--disable=traefik'] : [])
    ].join(' ');
    const env = {
        INSTALL_K3S_SKIP_DOWNLOAD: 'true',
        INSTALL_K3S_EXEC: exec,
        INSTALL_K3S_FORCE_RESTART: 'true'
    };
    const full = u.delta === null;
    return {
        name: 'upgrade-k3s',
        title: `Upgrade k3s to ${bundle.versions.k3s} the air-gap way (binary, images, install.sh, forced restart)`,
        inputs: { k3s: bundle.versions.k3s, exec },
        plan: [
            'install bin/k3s -> /usr/local/bin/k3s (0755)',
            full
                ? `install images/cloud-images.tar -> ${K3S_IMAGES}`
                : `keep ${K3S_IMAGES} (a delta's archive is partial; its images are imported already)`,
            `${Object.entries(env)
                .map(([n, v]) => `${n}="${v}"`)
                .join(' ')} sh bin/k3s-install.sh`
        ],
        run: async () => {
            host.install(bundleFile(u.ctx, 'bin/k3s'), '/usr/local/bin/k3s', 0o755);
            if (full)
                host.install(bundleFile(u.ctx, 'images/cloud-images.tar'), K3S_IMAGES, 0o644);
            await host.run('sh', [bundleFile(u.ctx, 'bin/k3s-install.sh')], { env, timeoutMs: 600_000 });
            await waitFor(u.ctx, 'the Kubernetes API after the k3s upgrade', 'see journalctl -u k3s', async () => (await k(u, ['get', '--raw', '/readyz'], true)).code === 0);
        }
    };
}
function cloudcoreArgs(u) {
    const { bundle } = u.ctx;
    return [
        ...['upgrade', 'cloud', `--kubeedge-version=${vVersion(bundle.versions.kubeedge)}`],
        `--kube-config=${kubeconfig(u)}`,
        '--reuse-values',
        ...['--set', 'cloudCore.modules.dynamicController.enable=true'],
        ...['--set', `mosquitto.enable=${String(bundle.mosquitto.enabled)}`]
    ];
}
function cloudcoreStep(u) {
    const { host } = u.ctx;
    const args = cloudcoreArgs(u);
    return {
        name: 'upgrade-cloudcore',
        title: `Upgrade CloudCore to ${vVersion(u.ctx.bundle.versions.kubeedge)} (keadm upgrade cloud --reuse-values, dynamicController kept on)`,
        inputs: { args },
        plan: [
            'install bin/keadm -> /usr/local/bin/keadm (0755): the new keadm carries the new chart',
            `keadm ${args.join(' ')}`,
            'wait for cloudcore Running; read the ConfigMap back, turn dynamicController on if it went'
        ],
        run: async () => {
            if (bundleHas(u.ctx, 'bin/keadm'))
                host.install(bundleFile(u.ctx, 'bin/keadm'), '/usr/local/bin/keadm', 0o755);
            await host.run(placed(host, 'keadm'), args, { timeoutMs: 600_000 });
            await waitFor(u.ctx, 'cloudcore to be Running', 'kubectl -n kubeedge describe pod -l kubeedge=cloudcore', async () => (await k(u, CLOUDCORE_PHASES, true)).stdout.split(/\s+/).includes('Running'));
            const { yaml, changed: off } = await enableDynamicController((await k(u, GET_CM)).stdout);
            if (!off) {
                u.ctx.say('  dynamicController still on');
                return;
            }
            u.ctx.say('  dynamicController was off after the upgrade: turning it on again');
            host.write(`${KEDGE_DIR}/cloudcore-configmap.yaml`, yaml, 0o600);
            await k(u, ['replace', '-f', host.path(`${KEDGE_DIR}/cloudcore-configmap.yaml`)]);
            await k(u, ['-n', 'kubeedge', 'rollout', 'restart', 'deployment', 'cloudcore']);
        }
    };
}
function edgemeshStep(u) {
    const { host, bundle } = u.ctx;
    const chart = bundleFile(u.ctx, 'charts/edgemesh.tgz');
    const rollout = [
        '-n',
        'kubeedge',
        'rollout',
        'status',
        'daemonset/edgemesh-agent',
        '--timeout=300s'
    ];
    return {
        name: 'upgrade-edgemesh',
        title: `Upgrade EdgeMesh to ${bundle.versions.edgemesh} (helm upgrade, the same PSK and relays)`,
        inputs: { version: bundle.versions.edgemesh },
        plan: [
            `set agent.image in ${VALUES} to kubeedge/edgemesh-agent:${bundle.versions.edgemesh}`,
            `helm upgrade edgemesh charts/edgemesh.tgz -n kubeedge --kubeconfig ${kubeconfig(u)} -f ${VALUES}`
        ],
        run: async () => {
            if (!host.exists(VALUES))
                throw new Error(`${host.path(VALUES)} is missing: the install's EdgeMesh values (PSK, relays) are needed; restore it from the backup`);
            const values = host
                .read(VALUES)
                .replace(/^( {2}image: kubeedge\/edgemesh-agent:).*$/m, `$1${bundle.versions.edgemesh}`);
            host.write(VALUES, values, 0o600);
            await host.run(placed(host, 'helm'), [
                'upgrade',
                'edgemesh',
                chart,
                '-n',
                'kubeedge',
                '--kubeconfig',
                kubeconfig(u),
                '-f',
                host.path(VALUES)
            ]);
            await k(u, rollout);
        }
    };
}
function cloudUpgradeSteps(u) {
    const on = (u.ctx.options.edgemesh ?? true) && u.ctx.bundle.edgemesh.enabled;
    return [
        cloud_backupStep(u),
        ...(u.ctx.options.kubeconfig ? [] : [cloud_imagesStep(u)]),
        ...(changed(u.changes, 'k3s') && !u.ctx.options.kubeconfig ? [k3sStep(u)] : []),
        ...(changed(u.changes, 'kubeedge') ? [cloudcoreStep(u)] : []),
        ...(on && changed(u.changes, 'edgemesh') ? [edgemeshStep(u)] : [])
    ];
}
//# sourceMappingURL=cloud.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/versions.js
/**
 * verify's version checks: which bundle the host records as installed, and the version the
 * running parts report (edgecore --version on the edge; the cloudcore image tag on the
 * cloud), against this bundle's.
 */




/** The full bundle a record stands for: a delta stands for its target. */
function identity(bundle, sha256) {
    const delta = deltaSection(bundle);
    if (delta)
        return { name: delta.target.name, sha256: delta.target.bundleJsonSha256 ?? '' };
    return { name: bundle.name, sha256 };
}
const installedName = (i) => identity(i.bundle, i.sha256).name;
async function runningVersion(host, bundle, kubectl) {
    if (bundle.side === 'edge') {
        const out = await host.run(host.path('/usr/local/bin/edgecore'), ['--version'], {
            allowFailure: true
        });
        return /v\d+\.\d+\.\d+/.exec(out.stdout)?.[0] ?? 'unknown';
    }
    const out = await kubectl([
        '-n',
        'kubeedge',
        'get',
        'deployment',
        'cloudcore',
        '-o',
        'jsonpath={..image}'
    ]);
    return /cloudcore:(v[\d.]+)/.exec(out.stdout)?.[1] ?? 'unknown';
}
/** After an upgrade (the host has an upgrade journal): the version checks; else none. */
async function upgradedChecks(host, bundle, kubectl) {
    return host.exists(UPGRADE_FILE) ? versionChecks(host, bundle, kubectl) : [];
}
async function versionChecks(host, bundle, kubectl) {
    const installed = readInstalled(host);
    const want = identity(bundle, '').name;
    const name = installed ? installedName(installed) : 'none recorded';
    const v = (installed?.bundle.versions ?? {});
    const ke = vVersion(bundle.versions.kubeedge);
    const running = await runningVersion(host, bundle, kubectl).catch((err) => `unknown (${err.message})`);
    return [
        {
            name: 'installed bundle',
            ok: name === want,
            detail: `${name}: ${Object.entries(v)
                .filter(([k]) => k !== 'node')
                .map(([k, x]) => `${k} ${x}`)
                .join(', ')}`,
            hint: `this host runs ${name}, not ${want}: node install.js upgrade`
        },
        {
            name: `${bundle.side === 'edge' ? 'edgecore' : 'cloudcore'} version`,
            ok: running === ke,
            detail: running,
            hint: `expected ${ke}: node install.js upgrade, or see the upgrade log`
        }
    ];
}
//# sourceMappingURL=versions.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/run.js
/**
 * `install.js upgrade`: from the new bundle, on a host an older kedge bundle installed.
 * Reads what the install recorded, refuses a downgrade, a skipped minor or a delta whose
 * base this host lacks, prints the plan, then runs the side's upgrade steps under their
 * journal and records the new bundle. `upgrade --rollback` undoes it.
 */










class UpgradeRefused extends Error {
    constructor(message) {
        super(message);
        this.name = 'UpgradeRefused';
    }
}
/** The installed record, or a refusal naming what to do. */
function requireInstalled(ctx) {
    const installed = readInstalled(ctx.host);
    if (installed)
        return installed;
    const state = loadState(ctx.host);
    throw new UpgradeRefused(state.bundle
        ? `this host runs ${state.bundle} but has no ${ctx.host.path('/var/lib/kedge/bundle.json')} (an install by a kedge older than upgrade support): copy that bundle's meta/bundle.json there, then run upgrade again`
        : `no kedge bundle is installed on this host (${ctx.host.path('/var/lib/kedge/state.json')} is absent): install with node install.js ${ctx.bundle.side}`);
}
/** For a delta: the host must run its base, and containerd must still hold the left-out blobs. */
async function checkDelta(u) {
    if (!u.delta)
        return;
    const { host } = u.ctx;
    const from = identity(u.installed.bundle, u.installed.sha256);
    const [c, a] = u.ctx.bundle.side === 'edge'
        ? edge_ctr(u.ctx, ['content', 'ls', '-q'])
        : [placed(host, 'k3s'), ['ctr', '-n', 'k8s.io', 'content', 'ls', '-q']];
    const present = parseContentList((await host.run(c, a, { allowFailure: true })).stdout);
    const sameBase = from.name === u.delta.base.name && from.sha256 === u.delta.base.bundleJsonSha256;
    const refusal = deltaRefusal(u.delta, sameBase
        ? from.name
        : `${from.name}${from.name === u.delta.base.name ? ' (a different build: its bundle.json differs)' : ''}`, missingBaseBlobs(u.delta, present));
    if (refusal)
        throw new UpgradeRefused(refusal);
}
/** Builds the upgrade, or throws UpgradeRefused. Null when there is nothing to do. */
async function prepareUpgrade(ctx) {
    const to = identity(ctx.bundle, '').name;
    const journal = loadUpgrade(ctx.host);
    const resuming = journal && !journal.finishedAt && journal.to === to;
    // A run killed after it recorded the new bundle: the backup holds the record of before.
    const installed = (resuming ? readInstalled(ctx.host, `${journal.backup}/files`) : null) ?? requireInstalled(ctx);
    Object.assign(ctx.options, installed.options);
    if (installedName(installed) === to && !resuming)
        return null;
    const from = installed.bundle;
    const refusal = planRefusal(from, ctx.bundle);
    if (refusal)
        throw new UpgradeRefused(refusal);
    const u = {
        ctx,
        installed,
        changes: planChanges(from, ctx.bundle),
        delta: deltaSection(ctx.bundle),
        backup: resuming ? journal.backup : backupDir(installedName(installed))
    };
    if (!resuming)
        await checkDelta(u);
    return u;
}
const upgradeSteps = (u) => u.ctx.bundle.side === 'cloud' ? cloudUpgradeSteps(u) : edgeUpgradeSteps(u);
/** Prints the plan; with --dry-run also the steps. Returns the steps. */
function printPlan(u, out) {
    const steps = upgradeSteps(u);
    for (const line of planLines(u.installed.bundle, u.ctx.bundle))
        out.line(line);
    if (u.delta)
        out.line(`  (a delta from ${u.delta.base.name}: this host runs it, and containerd holds its ${u.delta.omittedBlobs.length} left-out blobs)`);
    out.event({
        upgrade: {
            from: installedName(u.installed),
            to: identity(u.ctx.bundle, '').name,
            changes: u.changes
        }
    });
    if (u.ctx.options.dryRun) {
        for (const [i, step] of steps.entries()) {
            out.line(`[${i + 1}] ${step.name}: ${step.title}`);
            for (const p of step.plan)
                out.line(`      ${u.ctx.host.mask(p)}`);
        }
    }
    return steps;
}
/** Runs the steps under the upgrade journal, then records the new bundle as installed. */
async function runUpgrade(u, out) {
    const { host, bundle, options } = u.ctx;
    const to = identity(bundle, '').name;
    const previous = loadUpgrade(host);
    const state = previous && !previous.finishedAt && previous.to === to
        ? previous
        : { from: installedName(u.installed), to, backup: u.backup, steps: {} };
    saveUpgrade(host, state);
    await runUpgradeSteps(host, state, upgradeSteps(u), out);
    recordInstall(host, bundle, options);
    crashPoint('upgrade-record', 'end');
    const main = loadState(host);
    main.bundle = to;
    saveState(host, main);
    state.finishedAt = new Date().toISOString();
    saveUpgrade(host, state);
    out.line(`upgraded ${state.from} -> ${to}; node install.js upgrade --rollback returns to ${state.from}`);
}
//# sourceMappingURL=run.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/rollback.js
/**
 * `install.js upgrade --rollback`: back to the bundle the host ran before the last upgrade.
 * Edge: keadm rollback edge (edgecore, edgecore.yaml, edgecore.db from keadm's backup), the
 * runtime files, containerd restarted. Cloud: helm rollback of EdgeMesh and of cloudcore to
 * the revisions recorded before (keadm has no cloud rollback; its upgrade is a helm upgrade
 * of the release cloudcore), the k3s binary, k3s restarted. Then kedge's own records.
 * Images the upgrade imported stay in containerd; the old ones were never removed.
 */






const rollback_EDGECORE_YAML = '/etc/kubeedge/config/edgecore.yaml';
/** The helm revisions recorded before the upgrade (backup/helm-revisions.json). */
function revisions(ctx, state) {
    const file = `${state.backup}/helm-revisions.json`;
    return ctx.host.exists(file) ? JSON.parse(ctx.host.read(file)) : {};
}
async function rollbackCloud(ctx, state, began) {
    const { host, options } = ctx;
    const kubeconfig = options.kubeconfig ?? host.path('/etc/rancher/k3s/k3s.yaml');
    const done = [];
    const revs = revisions(ctx, state);
    for (const [step, release] of [
        ['upgrade-edgemesh', 'edgemesh'],
        ['upgrade-cloudcore', 'cloudcore']
    ]) {
        if (!began(step))
            continue;
        const rev = revs[release];
        if (rev === undefined)
            throw new Error(`no recorded helm revision of ${release} in ${host.path(state.backup)}: roll it back by hand (helm history ${release} -n kubeedge)`);
        await host.run(placed(host, 'helm'), ['rollback', release, String(rev), '-n', 'kubeedge', '--kubeconfig', kubeconfig], { timeoutMs: 600_000 });
        done.push(`helm release ${release} back to revision ${rev}`);
    }
    done.push(...restoreFiles(host, state.backup));
    if (began('upgrade-k3s')) {
        await host.run('systemctl', ['restart', 'k3s']);
        done.push('restarted k3s with the previous binary');
    }
    return done;
}
async function rollbackEdge(ctx, state, began) {
    const { host } = ctx;
    const done = [];
    if (began('keadm-upgrade')) {
        // A keadm upgrade edge killed half way left its lock, which keadm rollback edge refuses.
        if (!state.steps['keadm-upgrade'] && host.exists(KEADM_LOCK)) {
            host.remove(KEADM_LOCK);
            done.push(`removed ${KEADM_LOCK} (left by a keadm upgrade edge cut short)`);
        }
        await host.run(placed(host, 'keadm'), ['rollback', 'edge', `--config=${host.path(rollback_EDGECORE_YAML)}`], {
            timeoutMs: 600_000
        });
        done.push('keadm rollback edge: edgecore, edgecore.yaml and edgecore.db from /etc/kubeedge/backup/');
    }
    done.push(...restoreFiles(host, state.backup));
    const replaced = state.steps['upgrade-runtime']?.files ?? [];
    if (began('upgrade-runtime') && (replaced.length > 0 || !state.steps['upgrade-runtime'])) {
        await host.run('systemctl', ['restart', 'containerd']);
        done.push('restarted containerd with the previous binaries');
    }
    if (began('upgrade-edgecore-config') || began('keadm-upgrade')) {
        await host.run('systemctl', ['restart', 'edgecore']);
        done.push('restarted edgecore');
    }
    return done;
}
async function rollback(ctx, out) {
    const { host } = ctx;
    const state = loadUpgrade(host);
    if (!state)
        throw new UpgradeRefused(`no upgrade to roll back: ${host.path(UPGRADE_FILE)} is absent`);
    const began = (s) => (state.started ?? []).includes(s) || s in state.steps;
    out.line(`rolling back ${state.to} -> ${state.from}`);
    const done = ctx.bundle.side === 'cloud'
        ? await rollbackCloud(ctx, state, began)
        : await rollbackEdge(ctx, state, began);
    const main = loadState(host);
    main.bundle = state.from;
    saveState(host, main);
    host.remove(UPGRADE_FILE);
    for (const line of done)
        out.line(`  ${line}`);
    out.event({ rollback: { from: state.to, to: state.from, restored: done } });
    out.line(`rolled back to ${state.from}; the new images stay in containerd (unused); the backup stays in ${host.path(state.backup)}`);
}
//# sourceMappingURL=rollback.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/upgrade/command.js
/** The `upgrade` command for cli.ts: plan, refusals (exit 1), the run, verify after it. */



/** A delta bundle cannot install a host: it lacks what its base carried. Null for a full one. */
function deltaInstallRefusal(bundle) {
    const delta = deltaSection(bundle);
    if (!delta)
        return null;
    return `${bundle.name} is a delta bundle: it upgrades a host that runs ${delta.base.name} (node install.js upgrade), and cannot install one; to install, use the full bundle ${delta.target.name}.tar.gz`;
}
/** Runs upgrade or upgrade --rollback; returns the exit code, or 'verify' to run the checks. */
async function upgradeCommand(ctx, out, logFile) {
    const { host, options } = ctx;
    const fail = (err, hint) => {
        const message = host.mask(err instanceof Error ? err.message : String(err));
        process.stderr.write(`install.js: ${message}${err instanceof UpgradeRefused ? '\nnothing was changed' : `\n${hint}`}\n`);
        out.event({ error: message });
        return 1;
    };
    host.log(`kedge install.js upgrade${options.rollback ? ' --rollback' : ''} from ${ctx.bundle.name}`);
    if (options.rollback) {
        try {
            await rollback(ctx, out);
            out.line(`run verify from the bundle rolled back to (its install.js verify)`);
            return 0;
        }
        catch (err) {
            return fail(err, `the log has every command and its output: ${logFile}`);
        }
    }
    let upgrade;
    try {
        upgrade = await prepareUpgrade(ctx);
    }
    catch (err) {
        return fail(err, '');
    }
    if (!upgrade) {
        out.line(`this host already runs ${ctx.bundle.name}: nothing to upgrade`);
        return 0;
    }
    printPlan(upgrade, out);
    if (options.dryRun)
        return 0;
    out.line(`upgrading; full log: ${logFile}`);
    try {
        await runUpgrade(upgrade, out);
    }
    catch (err) {
        return fail(err, `the log has every command and its output: ${logFile}; fix the cause and run upgrade again (finished steps are skipped), or node install.js upgrade --rollback`);
    }
    return 'verify';
}
//# sourceMappingURL=command.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/verify.js





/** node:http is loaded here, when verify needs it, not at every start (plan). */
async function httpOk(url) {
    const { request } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 67, 19));
    return new Promise(resolve => {
        const req = request(url, { timeout: 3000 }, res => {
            res.resume();
            resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
        });
        req.on('error', () => {
            resolve(false);
        });
        req.on('timeout', () => {
            req.destroy();
            resolve(false);
        });
        req.end();
    });
}
/** Collects checks; a probe that throws is a FAIL with its message. */
class Checklist {
    host;
    checks = [];
    constructor(host) {
        this.host = host;
    }
    async check(name, hint, probe) {
        try {
            const [ok, detail] = await probe();
            this.checks.push({ name, ok, detail, hint });
        }
        catch (err) {
            this.checks.push({ name, ok: false, detail: this.host.mask(err.message), hint });
        }
    }
    run(command, args) {
        return this.host.run(command, args, { allowFailure: true });
    }
    serviceActive(unit, hint) {
        return this.check(`${unit} active`, hint, async () => {
            const out = (await this.run('systemctl', ['is-active', unit])).stdout.trim();
            return [out === 'active', out || 'no answer'];
        });
    }
}
async function edgeRuntime(list, bundle, options) {
    const ctrArgs = ['--address', options.containerdAddress, '--namespace', 'k8s.io'];
    await list.serviceActive('containerd', 'systemctl status containerd; journalctl -u containerd');
    await list.check('every bundled image present', 're-run the installer (import-images), or ctr -n k8s.io images import images/edge-images.tar', async () => {
        const missing = missingImages((await list.run(placed(list.host, 'ctr'), [...ctrArgs, 'images', 'ls', '-q'])).stdout, bundle);
        return [
            missing.length === 0,
            missing.length ? `missing: ${missing.join(', ')}` : `${bundle.images.length} images`
        ];
    });
}
async function edgeChecks(list) {
    await list.serviceActive('edgecore', 'journalctl -u edgecore; check the token and that the cloud answers on 10000 and 10002');
    await list.check('metaServer answers 127.0.0.1:10550/api/v1/services', 'modules.metaManager.metaServer.enable must be true in edgecore.yaml; restart edgecore', async () => {
        const url = `${process.env.KEDGE_METASERVER ?? 'http://127.0.0.1:10550'}/api/v1/services`;
        const ok = await httpOk(url);
        return [ok, ok ? 'answering' : `no answer from ${url}`];
    });
}
/** EdgeMesh on the edge: its interface and edgecore's DNS. */
async function edgeMeshChecks(list, host) {
    await list.check('edgemesh0 holds 169.254.96.16', 'kubectl -n kubeedge get pods -l k8s-app=kubeedge,kubeedge=edgemesh-agent -o wide on the cloud; the agent must run on this node', async () => {
        const out = (await list.run('ip', ['-4', 'addr', 'show', 'edgemesh0'])).stdout;
        return [
            out.includes('169.254.96.16'),
            out.includes('169.254.96.16') ? 'present' : 'edgemesh0 has no 169.254.96.16'
        ];
    });
    await list.check('clusterDNS is 169.254.96.16', 'run the installer again (check-edgecore-config fixes it)', async () => {
        const doc = (await yamlLib()).load(host.read('/etc/kubeedge/config/edgecore.yaml'));
        const dns = getPath(doc, 'modules.edged.tailoredKubeletConfig.clusterDNS');
        return [Array.isArray(dns) && dns.includes('169.254.96.16'), JSON.stringify(dns ?? null)];
    });
}
const NODE_READY = 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}';
async function clusterChecks(list, kubectl) {
    await list.check('k3s node Ready', 'journalctl -u k3s; kubectl describe node', async () => {
        const out = (await kubectl(['get', 'nodes', '-o', NODE_READY])).stdout.trim();
        const notReady = out.split(/\s+/).filter(n => n && !n.endsWith('=True'));
        return [out !== '' && notReady.length === 0, out || 'no nodes'];
    });
    await list.check('dynamicController enabled', 're-run the installer (keadm-init turns it on in the ConfigMap)', async () => {
        const { load } = await yamlLib();
        const cm = (await kubectl(['-n', 'kubeedge', 'get', 'configmap', 'cloudcore', '-o', 'yaml']))
            .stdout;
        const inner = load(cm)?.data?.['cloudcore.yaml'] ?? '';
        const on = getPath(load(inner), 'modules.dynamicController.enable') === true;
        return [on, on ? 'true' : 'false or missing'];
    });
    await list.check('cloudcore Running', 'kubectl -n kubeedge describe pod -l kubeedge=cloudcore', async () => {
        const out = (await kubectl(CLOUDCORE_PHASES)).stdout.trim();
        return [out.split(/\s+/).includes('Running'), out || 'no pod'];
    });
}
async function edgemeshChecks(list, kubectl) {
    await list.check('3 Istio CRDs', 'kubectl apply -f crds/istio/', async () => {
        const out = (await kubectl(['get', 'crd', '-o', 'name'])).stdout;
        const found = ['destinationrules', 'gateways', 'virtualservices'].filter(c => out.includes(`${c}.networking.istio.io`));
        return [found.length === 3, `${found.length} of 3`];
    });
    await list.check('edgemesh-agent Ready on all nodes', 'kubectl -n kubeedge get ds edgemesh-agent; check the PSK and relay nodes', async () => {
        const out = (await kubectl([
            ...['-n', 'kubeedge', 'get', 'daemonset', 'edgemesh-agent', '-o'],
            'jsonpath={.status.desiredNumberScheduled} {.status.numberReady}'
        ])).stdout.trim();
        const [desired, ready] = out.split(' ');
        return [
            desired !== undefined && desired !== '0' && desired === ready,
            `${ready ?? '?'} of ${desired ?? '?'} ready`
        ];
    });
}
/**
 * The join file's token: present, and how long it has left. An expired token fails no
 * check: the cluster runs on, and only the next edge to join needs a fresh one (the detail
 * says so, and the play of the Ansible collection mints one before its edge batches).
 */
async function tokenCheck(list, host) {
    const mint = `sudo ./install.sh token (rewrites ${JOIN_FILE})`;
    await list.check('edge token (join file)', `mint a fresh one: ${mint}`, () => {
        if (!host.exists(JOIN_FILE))
            return [false, `${JOIN_FILE} missing`];
        const { token } = parseJoinFile(host.read(JOIN_FILE), JOIN_FILE);
        const exp = token ? tokenExpiry(token) : undefined;
        if (!exp)
            return [false, `${JOIN_FILE} holds no token with an expiry`];
        const left = timeLeft(exp);
        const expired = exp.getTime() <= Date.now();
        return [
            true,
            `${JOIN_FILE}: ${expired ? `${left}; before the next edge joins: ${mint}` : `${left} left`} (expires ${rfc3339(exp)})`
        ];
    });
}
/**
 * The checklist for what was installed: EdgeMesh checks only when the install recorded
 * EdgeMesh (or, without a record, when the options and the bundle say so).
 */
async function runChecks(host, bundle, options) {
    const list = new Checklist(host);
    const state = loadState(host);
    const edgemesh = state.edgemesh ?? ((options.edgemesh ?? true) && bundle.edgemesh.enabled);
    if (bundle.side === 'edge') {
        await edgeRuntime(list, bundle, options);
        await edgeChecks(list);
        if (edgemesh)
            await edgeMeshChecks(list, host);
        return [...list.checks, ...(await upgradedChecks(host, bundle, a => list.run('true', a)))];
    }
    const kubectl = args => options.kubeconfig
        ? list.run('kubectl', ['--kubeconfig', options.kubeconfig, ...args])
        : list.run(placed(host, 'k3s'), ['kubectl', ...args]);
    await clusterChecks(list, kubectl);
    if (edgemesh)
        await edgemeshChecks(list, kubectl);
    await tokenCheck(list, host);
    return [...list.checks, ...(await upgradedChecks(host, bundle, kubectl))];
}
//# sourceMappingURL=verify.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/cli.js
/**
 * install.js: the offline KubeEdge installer. See options.ts for the command line.
 * Order of business: parse and validate (exit 2), verify the bundle against SHA256SUMS
 * (exit 2), check the host (exit 1, nothing changed), then run the side's steps under the
 * journal, and verify. With --json every command ends with one JSON object, the last line
 * of stdout, holding at least `command` and `ok`.
 */
















/** A failure with its exit code, reported on stderr (and in the JSON result). */
class Stop extends Error {
    code;
    constructor(message, code) {
        super(message);
        this.code = code;
    }
}
/** The key a bundle must be signed with: --trust-key, else the site's, else none. */
function siteTrust(options) {
    if (options.trustKey)
        return loadTrustKey(options.trustKey, `--trust-key ${options.trustKey}`);
    const site = new Host(options.root, undefined).path(SITE_TRUST_KEY);
    return (0,external_node_fs_namespaceObject.existsSync)(site) ? loadTrustKey(site, site) : undefined;
}
/**
 * The bundle beside install.js (or --bundle), checked, and of the side asked for; and the
 * key its signature was checked with. plan hashes only meta/bundle.json (bundle.ts).
 */
async function loadBundle(options) {
    const bundleDir = options.bundleDir ?? (0,external_node_path_namespaceObject.dirname)((0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url));
    let bundle;
    let trust;
    try {
        trust = siteTrust(options);
        bundle = await verifyBundle(bundleDir, trust, { hashAll: options.command !== 'plan' });
    }
    catch (err) {
        if (err instanceof BundleError || err instanceof TrustError)
            throw new Stop(err.message, 2);
        throw err;
    }
    const side = options.side ?? bundle.side;
    if (side !== bundle.side)
        throw new Stop(`this is the ${bundle.side} bundle (${bundle.name}); to install the ${side} side use the ${side} bundle, or run: node install.js ${bundle.side} ...`, 2);
    if (options.command === 'token' && side !== 'cloud')
        throw new Stop('token runs on the cloud (it mints the token with keadm gettoken there)', 2);
    options.side = side;
    const delta = deltaInstallRefusal(bundle);
    if (delta && (options.command === 'cloud' || options.command === 'edge'))
        throw new Stop(delta, 2);
    return { bundle, trust };
}
function plan(ctx, out, trust) {
    const { host, bundle } = ctx;
    const steps = stepsFor(ctx);
    out.line(`plan for ${bundle.name} (${bundle.side}) on ${host.path('/')}; nothing is changed:`);
    for (const [i, step] of steps.entries()) {
        out.line(`[${i + 1}] ${step.name}: ${step.title}`);
        for (const p of step.plan)
            out.line(`      ${host.mask(p)}`);
    }
    const shown = steps.map(s => ({
        step: s.name,
        title: s.title,
        commands: s.plan.map(p => host.mask(p))
    }));
    out.line(`bundle: SHA256SUMS lists every file, each a regular file${trust ? `; its signature verified with ${trust.source}` : ''}. plan hashed only ${BUNDLE_META}; \`${bundle.side}\` checks the sha256 of every file before it changes anything`);
    return { ok: true, plan: shown, hashed: [BUNDLE_META] };
}
/** PASS/FAIL lines with hints, then the count; the result for --json. */
function report(checks, out, indent) {
    for (const c of checks)
        out.line(`${indent}${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}${c.ok ? '' : `\n${indent}      hint: ${c.hint}`}`);
    const passed = checks.filter(c => c.ok).length;
    const failed = checks.length - passed;
    out.line(`${indent}${passed} passed, ${failed} failed`);
    return { ok: failed === 0, passed, failed, checks };
}
/** The edge refuses an expired token (exit 2), naming the cloud command for a fresh one. */
function checkToken(ctx) {
    const { options, host } = ctx;
    if (!options.token || loadState(host).steps['keadm-join'])
        return;
    const exp = tokenExpiry(options.token);
    if (exp && exp.getTime() <= Date.now())
        throw new Stop(`the edge token ${options.joinFile ? `in ${options.joinFile} ` : ''}${timeLeft(exp)} (at ${rfc3339(exp)}): on the cloud run \`sudo ./install.sh token\`, copy the new ${JOIN_FILE} here, and run again with --join-file`, 2);
}
async function prompts(ctx, out) {
    const { bundle, options } = ctx;
    if (bundle.side === 'cloud' && process.stdin.isTTY && !options.yes && !options.json)
        await askCloud(options, out);
}
/** Prompts (on a TTY), token expiry, preflight, the steps, verify, then a summary. */
async function installSide(ctx, out, logFile) {
    const { host, bundle, options } = ctx;
    await prompts(ctx, out);
    if (bundle.side === 'edge')
        checkToken(ctx);
    const { problems, warnings } = await preflight(host, bundle, options, loadState(host));
    for (const w of warnings)
        out.line(`warning: ${w}`);
    if (problems.length > 0)
        throw new Stop(`the host is not ready; nothing was changed:\n  ${problems.join('\n  ')}`, 1);
    out.line(`installing ${bundle.name} (${bundle.side}); full log: ${logFile}`);
    host.log(`kedge install.js ${options.command} on node ${process.version} (${process.execPath})`);
    const started = Date.now();
    let steps;
    try {
        steps = await install(ctx, out);
    }
    catch (err) {
        const message = host.mask(err instanceof Error ? err.message : String(err));
        throw new Stop(`${message}\nthe log has every command and its output: ${logFile}; fix the cause and run the same command again (finished steps are skipped)`, 1);
    }
    out.line('verifying:');
    const result = report(await runChecks(host, bundle, options), out, '  ');
    const seconds = Math.round((Date.now() - started) / 1000);
    const ran = steps.filter(s => s.status === 'ok').length;
    out.line(`summary: ${steps.length} steps (${ran} run, ${steps.length - ran} done before) in ${seconds} s; ${String(result.passed)} checks passed, ${String(result.failed)} failed; log: ${logFile}`);
    const next = nextSteps(ctx);
    out.line('next:');
    for (const l of next)
        out.line(l);
    return {
        ...result,
        side: bundle.side,
        steps,
        seconds,
        edgemesh: edgemeshOn(ctx),
        logFile,
        ...(bundle.side === 'cloud' ? joinInfo(ctx) : {})
    };
}
function joinInfo(ctx) {
    const { host } = ctx;
    return { joinFile: host.path(JOIN_FILE) };
}
function nextSteps(ctx) {
    const { host, bundle } = ctx;
    if (bundle.side === 'edge')
        return [
            '  on the cloud: kubectl get nodes (this node Ready after a minute); here: sudo ./install.sh verify'
        ];
    const text = host.exists(JOIN_FILE) ? host.read(JOIN_FILE) : '';
    const expires = /^expires=(.+)$/m.exec(text)?.[1];
    return handoffLines(host.path(JOIN_FILE), expires);
}
/** token: a fresh token in the join file, for the address and EdgeMesh choice installed. */
async function token(ctx, out) {
    const { host, options } = ctx;
    const state = loadState(host);
    const cloudcore = state.cloudcore ??
        (options.advertiseAddress[0] ? `${options.advertiseAddress[0]}:10000` : undefined);
    if (!state.steps['keadm-init'] || !cloudcore)
        throw new Stop(`no cloud install here (${host.path('/var/lib/kedge/state.json')}): run ./install.sh cloud first`, 1);
    const edgemesh = state.edgemesh ?? edgemeshOn(ctx);
    options.kubeconfig ??= state.kubeconfig;
    const { joinFile, expires } = await writeJoinFile(ctx, cloudKubeconfig(ctx), cloudcore, edgemesh);
    out.line(`a fresh edge token is in the join file`);
    for (const l of handoffLines(joinFile, expires))
        out.line(l);
    return { ok: true, joinFile, expires: expires ?? null };
}
async function uninstallSide(ctx, out) {
    const { options, bundle } = ctx;
    // --dry-run changes nothing: no confirmation needed.
    if (!options.yes && !options.dryRun) {
        if (!process.stdin.isTTY || options.json)
            throw new Stop('uninstall changes the host: confirm with --yes (no terminal to ask on)', 2);
        if (!(await confirmUninstall(bundle.side)))
            throw new Stop('uninstall not confirmed; nothing was changed', 1);
    }
    return { ok: true, undone: await uninstall(ctx, out) };
}
async function run(options, out) {
    const { bundle, trust } = await loadBundle(options);
    const logFile = options.logFile ??
        `${options.root && options.root !== '/' ? options.root : ''}/var/log/kubeedge-${bundle.side}-install.log`;
    // Plan and --dry-run change nothing, not even the log.
    const host = new Host(options.root, options.command === 'plan' || options.dryRun ? undefined : logFile);
    if (options.token)
        host.addSecret(options.token);
    const ctx = {
        host,
        bundle,
        options,
        say: line => {
            out.line(host.mask(line));
        }
    };
    if (options.command === 'plan')
        return plan(ctx, out, trust);
    if (options.command === 'verify')
        return { side: bundle.side, ...report(await runChecks(host, bundle, options), out, '') };
    if (options.command === 'uninstall')
        return uninstallSide(ctx, out);
    if (options.command === 'token')
        return token(ctx, out);
    if (options.command === 'upgrade') {
        const code = await upgradeCommand(ctx, out, logFile);
        if (code !== 'verify')
            return { ok: code === 0, side: bundle.side };
        out.line('verifying:');
        return { side: bundle.side, ...report(await runChecks(host, bundle, options), out, '  ') };
    }
    return installSide(ctx, out, logFile);
}
/** Writes to stdout; once the reader has gone (EPIPE: `plan | head`), output stops quietly. */
function stdoutWriter() {
    let closed = false;
    process.stdout.on('error', (err) => {
        if (err.code !== 'EPIPE')
            throw err;
        closed = true;
    });
    return s => {
        if (!closed)
            process.stdout.write(s);
    };
}
async function main(argv, write = stdoutWriter()) {
    const json = argv.includes('--json');
    const command = argv[0] ?? '';
    const finish = (code, result) => {
        if (json)
            write(`${JSON.stringify({ command, ...result, ok: code === 0 && result.ok !== false })}\n`);
        return code;
    };
    let options;
    try {
        const parsed = parseOptions(argv);
        if ('help' in parsed) {
            write(`${parsed.help}\n`);
            return 0;
        }
        options = parsed;
    }
    catch (err) {
        if (!(err instanceof UsageError))
            throw err;
        process.stderr.write(`install.js: ${err.message}\n(see node install.js --help)\n`);
        return finish(2, { ok: false, error: err.message });
    }
    const out = output(options.json, write);
    try {
        const result = await run(options, out);
        return finish(result.ok === false ? 1 : 0, result);
    }
    catch (err) {
        if (err instanceof Interrupted) {
            process.stderr.write(`\ninstall.js: ${err.message}\n`);
            return finish(130, { ok: false, error: err.message });
        }
        if (!(err instanceof Stop) && !(err instanceof UsageError))
            throw err;
        const code = err instanceof Stop ? err.code : 2;
        process.stderr.write(`install.js: ${err.message}\n`);
        return finish(code, { ok: false, error: err.message });
    }
}
//# sourceMappingURL=cli.js.map
;// CONCATENATED MODULE: ./packages/installer/lib/install.js

main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
}, (err) => {
    process.stderr.write(`install.js: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
});
//# sourceMappingURL=install.js.map
