import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
import * as __WEBPACK_EXTERNAL_MODULE__unused_actions_http_client_mjs_fca7ca26__ from "./unused-@actions+http-client.mjs";
import * as __WEBPACK_EXTERNAL_MODULE__unused_actions_exec_mjs_505c3a4c__ from "./unused-@actions+exec.mjs";
/******/ var __webpack_modules__ = ({

/***/ 692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 877:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");

/***/ }),

/***/ 691:
/***/ ((__webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _v8_flags_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(623);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(61);
 // first: before any code runs hot

await (0,_main_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e)();
//# sourceMappingURL=index.js.map
__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 61:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// UNUSED EXPORTS: cacheHit

;// CONCATENATED MODULE: external "os"
const external_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function utils_toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function utils_toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function command_issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_namespaceObject.EOL);
}
function command_issue(name, message = '') {
    command_issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
;// CONCATENATED MODULE: external "fs"
const external_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function file_command_issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_namespaceObject.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_namespaceObject.appendFileSync(filePath, `${utils_toCommandValue(message)}${external_os_namespaceObject.EOL}`, {
        encoding: 'utf8'
    });
}
function file_command_prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = utils_toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_namespaceObject.EOL}${convertedValue}${external_os_namespaceObject.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
;// CONCATENATED MODULE: external "./unused-@actions+http-client.mjs"
var x = (y) => {
	var x = {}; __nccwpck_require__.d(x, y); return x
} 
var y = (x) => (() => (x))
const external_unused_actions_http_client_mjs_namespaceObject = x({  });
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/auth.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
class BasicCredentialHandler {
    constructor(username, password) {
        this.username = username;
        this.password = password;
    }
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class auth_BearerCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Bearer ${this.token}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class PersonalAccessTokenCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`PAT:${this.token}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var oidc_utils_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class oidc_utils_OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new HttpClient('actions/oidc-client', [new BearerCredentialHandler(oidc_utils_OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = oidc_utils_OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = oidc_utils_OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield oidc_utils_OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_namespaceObject.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_namespaceObject.constants.R_OK | external_fs_namespaceObject.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_namespaceObject.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = (/* unused pure expression or super */ null && (_summary));
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, path.sep);
}
//# sourceMappingURL=path-utils.js.map
;// CONCATENATED MODULE: external "./unused-@actions+exec.mjs"
var external_unused_actions_exec_mjs_x = (y) => {
	var x = {}; __nccwpck_require__.d(x, y); return x
} 
var external_unused_actions_exec_mjs_y = (x) => (() => (x))
const external_unused_actions_exec_mjs_namespaceObject = external_unused_actions_exec_mjs_x({  });
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield exec.getExecOutput('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield exec.getExecOutput('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_namespaceObject.platform();
const arch = external_os_namespaceObject.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function core_setSecret(secret) {
    command_issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${path.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return file_command_issueFileCommand('OUTPUT', file_command_prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_namespaceObject.EOL);
    command_issueCommand('set-output', { name }, utils_toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function core_debug(message) {
    command_issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    command_issueCommand('error', utils_toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    command_issueCommand('warning', utils_toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_namespaceObject.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    command_issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    command_issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./packages/oci/lib/convert.js
/**
 * The OCI twin of a Docker schema 2 image manifest, for the OCI transports that skip
 * Docker-typed index.json entries: skopeo/podman `oci-archive:` (the containers/image that
 * Debian 12's skopeo 1.9.3 and podman 4.3 carry matches a reference only against
 * `application/vnd.oci.image.manifest.v1+json` entries: oci/layout/oci_transport.go,
 * getManifestDescriptor) and umoci, which implements only the OCI media types.
 *
 * The twin points at the very same config and layer blobs (same digests and sizes, so the
 * archive stores nothing twice); only the manifest's own media type and its descriptors'
 * media types change. Those media types are part of the manifest's bytes, so its digest
 * necessarily differs from the registry's: the registry's Docker manifest stays the image
 * that containerd names (archive.ts lists twins only in index.oci.json, which containerd
 * never reads).
 *
 * The bytes are kedge's own, deterministic: fixed key order, no whitespace.
 */

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/**
 * Docker's media types and their OCI equivalents, as the image-spec lists them
 * (opencontainers/image-spec media-types.md, "Compatibility Matrix").
 */
const LAYER_TYPES = {
    'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
    // Already OCI (a Docker manifest may list them): kept as they are.
    'application/vnd.oci.image.layer.v1.tar+gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
    'application/vnd.oci.image.layer.v1.tar+zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
    'application/vnd.oci.image.layer.v1.tar': 'application/vnd.oci.image.layer.v1.tar'
};
const CONFIG_TYPES = new Set(['application/vnd.docker.container.image.v1+json', OCI_CONFIG]);
function descriptor(d, mediaType) {
    return {
        mediaType,
        digest: d.digest,
        size: d.size,
        ...(d.urls && d.urls.length > 0 ? { urls: d.urls } : {})
    };
}
/**
 * The OCI twin of Docker schema 2 manifest `body`, or an error naming `what` when the
 * manifest uses a media type that has no OCI equivalent (then no twin can exist).
 */
function ociTwinOfDocker(body, what) {
    const doc = JSON.parse(body.toString('utf8'));
    if (doc.schemaVersion !== 2 || doc.mediaType !== DOCKER_MANIFEST) {
        throw new Error(`${what}: not a Docker schema 2 image manifest`);
    }
    const config = doc.config;
    if (!config?.digest || !CONFIG_TYPES.has(config.mediaType ?? '')) {
        throw new Error(`${what}: its config has no OCI equivalent (${config?.mediaType ?? 'none'})`);
    }
    const layers = (doc.layers ?? []).map((l, i) => {
        const type = LAYER_TYPES[l.mediaType ?? ''];
        if (!type || !l.digest) {
            throw new Error(`${what}: layer ${i} (${l.mediaType ?? 'no media type'}) has no OCI equivalent`);
        }
        return descriptor(l, type);
    });
    const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: descriptor(config, OCI_CONFIG),
        layers
    }));
    return {
        digest: `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(bytes).digest('hex')}`,
        size: bytes.length,
        bytes
    };
}
//# sourceMappingURL=convert.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/tar.js
/**
 * The tar layout of an archive, computed before any byte is written: every entry's header
 * and data offset is a function of the sorted entry list alone. That lets blob downloads
 * write straight into their place in the final file, in any order, each byte once.
 * Headers are POSIX ustar with fixed metadata (uid/gid 0, no user names).
 */
const BLOCK = 512;
const padded = (n) => Math.ceil(n / BLOCK) * BLOCK;
/** Lays `entries` out in the order given (sort them first for a deterministic archive). */
function planTar(entries) {
    let offset = 0;
    const planned = entries.map(entry => {
        const p = { ...entry, offset, dataOffset: offset + BLOCK };
        offset += BLOCK + padded(entry.type === 'file' ? entry.size : 0);
        return p;
    });
    return { entries: planned, size: offset + 2 * BLOCK };
}
function octal(value, width) {
    const text = value.toString(8);
    if (text.length > width - 1)
        throw new Error(`tar: ${value} does not fit a ${width}-byte field`);
    return `${text.padStart(width - 1, '0')}\0`;
}
/** Splits a path into ustar's prefix (155) and name (100) fields. */
function splitName(path) {
    if (Buffer.byteLength(path) <= 100)
        return { prefix: '', name: path };
    const cut = path.lastIndexOf('/', 155);
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
        throw new Error(`tar: path too long for ustar: ${path}`);
    }
    return { prefix, name };
}
const TYPEFLAG = { file: '0', symlink: '2', directory: '5' };
/** A ustar header block for `entry`, with mode 0644/0755/0777, uid/gid 0 and `mtime`. */
function ustarHeader(entry, mtime) {
    const block = Buffer.alloc(BLOCK);
    const { prefix, name } = splitName(entry.name);
    const mode = { file: 0o644, symlink: 0o777, directory: 0o755 }[entry.type];
    const linkname = entry.type === 'symlink' ? (entry.linkname ?? '') : '';
    if (Buffer.byteLength(linkname) > 100)
        throw new Error(`tar: link target too long: ${linkname}`);
    block.write(name, 0, 100, 'utf8');
    block.write(octal(mode, 8), 100, 'ascii');
    block.write(octal(0, 8), 108, 'ascii');
    block.write(octal(0, 8), 116, 'ascii');
    block.write(octal(entry.type === 'file' ? entry.size : 0, 12), 124, 'ascii');
    block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
    block.write('        ', 148, 'ascii');
    block.write(TYPEFLAG[entry.type], 156, 'ascii');
    block.write(linkname, 157, 100, 'utf8');
    block.write('ustar\u000000', 257, 'binary');
    block.write(octal(0, 8), 329, 'ascii');
    block.write(octal(0, 8), 337, 'ascii');
    block.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const byte of block)
        sum += byte;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    return block;
}
//# sourceMappingURL=tar.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/archive.js
/**
 * One deterministic tar for a set of images, readable three ways:
 *  - an OCI image layout (oci-layout, index.json, blobs/sha256/...), which
 *    `ctr images import` (containerd >= 1.6) and k3s's air-gap image directory prefer;
 *  - a Docker manifest.json (+ repositories) over the same blobs, for `docker load`.
 * Every index entry names its image by the full normalized reference, both as
 * io.containerd.image.name and as org.opencontainers.image.ref.name (as containerd's own
 * export does), so `oci-archive:<tar>:docker.io/kubeedge/cloudcore:v1.22.0` is unambiguous.
 * Blobs stay as fetched (compressed), shared ones stored once, and every manifest keeps the
 * registry's bytes, digest and media type.
 *
 * Docker schema 2 manifests: the OCI transports of skopeo/podman (Debian 12's
 * containers/image) and umoci skip them, and containerd names every index.json entry that
 * carries either annotation (v1.7.34 import.go imageName; v2.1.5 client/import.go and
 * core/transfer/image/imagestore.go), so one index.json cannot hold both the registry's
 * Docker manifest (for containerd) and an OCI twin of it (for the OCI readers) under one
 * name without containerd also naming the twin. The archive therefore carries two views:
 *  - `index.json`, a regular file: the registry's manifests, one entry per image. containerd
 *    streams the tar and reads only regular members (symlinks are ignored in an OCI layout:
 *    images/archive/importer.go ImportIndex, v1.6.20, v1.7.34; core/images/archive in
 *    v2.1.5), so ctr import, k3s and docker on containerd see this one.
 *  - `index.oci.json`: the OCI images as above, and each Docker one as its OCI twin
 *    (convert.ts: the same config and layers; its own manifest, so another digest), and a
 *    last member `index.json -> index.oci.json`, a symlink. Whatever extracts the archive
 *    first (skopeo/podman `oci-archive:`, `tar -x` before umoci) ends with index.json
 *    replaced by that link, so it reads this view.
 * docs/bundle-format.md records what each client does, measured with the Debian packages.
 *
 * Same inputs, same bytes: entries sorted (the link last), mtime fixed (SOURCE_DATE_EPOCH or
 * 0), uid/gid 0, JSON in a fixed order. The layout is planned first (tar.ts), so blob
 * downloads write straight into a temporary file, renamed into place only when complete.
 */





const ANNOTATIONS = {
    imageName: 'io.containerd.image.name',
    refName: 'org.opencontainers.image.ref.name',
    /** The digest of the index the platform manifest was chosen from. */
    indexDigest: 'dev.kedge.image.index.digest',
    /** On an OCI twin (index.oci.json): the registry's Docker manifest it was converted from. */
    convertedFrom: 'dev.kedge.image.converted.from'
};
/** The OCI transports' view of the archive, and the link that makes extractors read it. */
const OCI_INDEX = 'index.oci.json';
/** The mtime for archive entries: SOURCE_DATE_EPOCH when set, else 0. */
function archiveMtime(env = process.env) {
    const epoch = Number(env.SOURCE_DATE_EPOCH ?? 0);
    if (!Number.isInteger(epoch) || epoch < 0) {
        throw new Error(`SOURCE_DATE_EPOCH=${env.SOURCE_DATE_EPOCH ?? ''} is not a non-negative integer`);
    }
    return new Date(epoch * 1000);
}
function blobPath(digest) {
    return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}
/** `<archive>.images.json`: the fetch-images report named after its archive. */
function reportPathFor(archive) {
    return `${archive}.images.json`;
}
const byName = (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
/** An index.json entry for manifest `desc` of `img`, named by its full reference. */
function indexEntry(img, desc, annotations) {
    return {
        mediaType: desc.mediaType,
        digest: desc.digest,
        size: desc.size,
        platform: {
            architecture: img.platform.architecture,
            os: img.platform.os,
            ...(img.platform.variant ? { variant: img.platform.variant } : {})
        },
        annotations: {
            [ANNOTATIONS.imageName]: img.name,
            [ANNOTATIONS.refName]: img.name,
            ...annotations
        }
    };
}
/** The JSON documents of the archive, pure data (easy to test). */
function layoutDocuments(images) {
    const sorted = [...images].sort(byName);
    const indexOf = (manifests) => ({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests
    });
    const registry = (img) => indexEntry(img, img.manifest, img.indexDigest ? { [ANNOTATIONS.indexDigest]: img.indexDigest } : {});
    const index = indexOf(sorted.map(registry));
    const ociIndex = indexOf(sorted.map(img => img.ociTwin
        ? indexEntry(img, { mediaType: OCI_MANIFEST, digest: img.ociTwin.digest, size: img.ociTwin.size }, { [ANNOTATIONS.convertedFrom]: img.manifest.digest })
        : registry(img)));
    const manifestJson = sorted.map(img => ({
        Config: blobPath(img.config.digest),
        RepoTags: img.tag ? [img.name] : [],
        Layers: img.layers.map(l => blobPath(l.digest))
    }));
    const repositories = {};
    for (const img of sorted) {
        const top = img.layers[img.layers.length - 1];
        if (!img.tag || !top)
            continue;
        const repo = img.name.slice(0, img.name.length - img.tag.length - 1);
        repositories[repo] = { ...repositories[repo], [img.tag]: top.digest.slice('sha256:'.length) };
    }
    return { index, ociIndex, manifestJson, repositories };
}
/** A temporary name beside `target` that never looks like a finished archive. */
function temporaryPath(target) {
    return (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.dirname)(target), `.${(0,external_node_path_namespaceObject.basename)(target)}.partial-${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString('hex')}`);
}
/** The archive's entries, planned, and the bytes kedge writes itself (documents, twins). */
function planArchive(images) {
    const { index, ociIndex, manifestJson, repositories } = layoutDocuments(images);
    const blobs = new Map();
    const docs = new Map();
    for (const img of images) {
        // An OCI twin is kedge's own bytes: written in place when the archive is created.
        if (img.ociTwin) {
            blobs.set(img.ociTwin.digest, img.ociTwin.size);
            docs.set(blobPath(img.ociTwin.digest), img.ociTwin.bytes);
        }
        blobs.set(img.manifest.digest, img.manifest.size);
        blobs.set(img.config.digest, img.config.size);
        for (const l of img.layers)
            blobs.set(l.digest, l.size);
    }
    const json = (v) => Buffer.from(`${JSON.stringify(v)}\n`);
    docs.set('index.json', json(index));
    docs.set(OCI_INDEX, json(ociIndex));
    docs.set('manifest.json', json(manifestJson));
    docs.set('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
    docs.set('repositories', json(repositories));
    const entries = [
        { name: 'blobs/', type: 'directory', size: 0 },
        { name: 'blobs/sha256/', type: 'directory', size: 0 },
        ...[...blobs].map(([digest, size]) => ({
            name: blobPath(digest),
            type: 'file',
            size
        })),
        ...[...docs]
            .filter(([name]) => !name.startsWith('blobs/'))
            .map(([name, data]) => ({ name, type: 'file', size: data.length }))
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Last, after the regular index.json: an extractor ends with index.json -> index.oci.json.
    entries.push({ name: 'index.json', type: 'symlink', size: 0, linkname: OCI_INDEX });
    return { docs, plan: planTar(entries) };
}
/**
 * An archive being written: its layout is planned up front, the temporary file is sized,
 * headers and JSON documents are in place, and each blob's bytes go to `slot(digest)`
 * (positional writes, any order, in parallel). `finish()` renames it into place;
 * `abort()` removes it.
 */
class ArchiveFile {
    target;
    temp;
    handle;
    size;
    slots;
    constructor(target, temp, handle, size, slots) {
        this.target = target;
        this.temp = temp;
        this.handle = handle;
        this.size = size;
        this.slots = slots;
    }
    static async create(target, images, mtime = archiveMtime()) {
        const { docs, plan } = planArchive(images);
        const temp = temporaryPath(target);
        const handle = await (0,promises_namespaceObject.open)(temp, 'wx');
        try {
            await handle.truncate(plan.size);
            const slots = new Map();
            for (const entry of plan.entries) {
                await handle.write(ustarHeader(entry, mtime), 0, BLOCK, entry.offset);
                const doc = entry.type === 'file' ? docs.get(entry.name) : undefined;
                if (doc)
                    await handle.write(doc, 0, doc.length, entry.dataOffset);
                else if (entry.type === 'file') {
                    slots.set(`sha256:${entry.name.slice('blobs/sha256/'.length)}`, entry.dataOffset);
                }
            }
            return new ArchiveFile(target, temp, handle, plan.size, slots);
        }
        catch (err) {
            await handle.close();
            await (0,promises_namespaceObject.rm)(temp, { force: true });
            throw err;
        }
    }
    /** Where the data of `digest` goes. */
    slot(digest) {
        const offset = this.slots.get(digest);
        if (offset === undefined)
            throw new Error(`archive ${this.target} has no place for ${digest}`);
        return offset;
    }
    /** Flushes, closes and renames the archive into place; returns its size. */
    async finish() {
        await this.handle.close();
        await (0,promises_namespaceObject.rename)(this.temp, this.target);
        return this.size;
    }
    async abort() {
        await this.handle.close().catch(() => undefined);
        await (0,promises_namespaceObject.rm)(this.temp, { force: true });
    }
}
//# sourceMappingURL=archive.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/cache.js
/**
 * The content-addressed blob cache on disk: <root>/blobs/sha256/<hex>, and <root>/tmp for
 * the files being written. Nothing in it is trusted:
 *  - `blobs`, `blobs/sha256` and `tmp` must be real directories; a link, file or anything
 *    else in their place is removed and the directory made again, so no write lands
 *    outside the cache;
 *  - an entry is opened without following links, and only when it is a regular file of
 *    exactly the size its descriptor gives; anything else (a link to /dev/zero or
 *    /etc/passwd, a FIFO, a directory, a device) is removed without being opened;
 *  - at most the descriptor's size is read, and the caller re-hashes what it reads.
 * What is removed is fetched again: the cache heals.
 */




function blobHex(digest) {
    const [algorithm, hex] = digest.split(':');
    if (algorithm !== 'sha256' || !hex || !/^[a-f0-9]{64}$/.test(hex)) {
        throw new Error(`unsupported digest ${digest}: only sha256 is supported`);
    }
    return hex;
}
const READ_FLAGS = external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NOFOLLOW | external_node_fs_namespaceObject.constants.O_NONBLOCK;
const CREATE_FLAGS = external_node_fs_namespaceObject.constants.O_WRONLY | external_node_fs_namespaceObject.constants.O_CREAT | external_node_fs_namespaceObject.constants.O_EXCL | external_node_fs_namespaceObject.constants.O_NOFOLLOW;
/** Makes `path` a real directory: whatever else is there (a link, a file) is removed first. */
async function realDirectory(path) {
    for (let attempt = 0; attempt < 3; attempt++) {
        const info = await (0,promises_namespaceObject.lstat)(path).catch(() => undefined);
        if (info?.isDirectory())
            return;
        if (info)
            await (0,promises_namespaceObject.rm)(path, { force: true, recursive: false }).catch(() => undefined);
        try {
            await (0,promises_namespaceObject.mkdir)(path);
            return;
        }
        catch (err) {
            // Another run made it at the same moment: look again.
            if (err.code !== 'EEXIST')
                throw err;
        }
    }
    throw new Error(`cache directory ${path} keeps changing under kedge; use another cache-dir`);
}
class BlobCache {
    root;
    prepared;
    runName = `run-${process.pid}-${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString('hex')}`;
    constructor(root) {
        this.root = root;
    }
    path(digest) {
        return (0,external_node_path_namespaceObject.join)(this.root, 'blobs', 'sha256', blobHex(digest));
    }
    /** Checks (and repairs) the cache's directories once; returns this run's scratch directory. */
    prepare() {
        this.prepared ??= (async () => {
            await (0,promises_namespaceObject.mkdir)(this.root, { recursive: true });
            for (const dir of [['blobs'], ['blobs', 'sha256'], ['tmp']]) {
                await realDirectory((0,external_node_path_namespaceObject.join)(this.root, ...dir));
            }
            const scratch = (0,external_node_path_namespaceObject.join)(this.root, 'tmp', this.runName);
            await (0,promises_namespaceObject.mkdir)(scratch);
            return scratch;
        })();
        return this.prepared;
    }
    /** Removes an entry, whatever it is (a directory too), without following links. */
    async drop(digest) {
        await (0,promises_namespaceObject.rm)(this.path(digest), { recursive: true, force: true });
    }
    /** True when the entry looks intact: a regular file of the right size (not re-hashed). */
    async has(desc) {
        await this.prepare();
        const info = await (0,promises_namespaceObject.lstat)(this.path(desc.digest)).catch(() => undefined);
        return info !== undefined && info.isFile() && info.size === desc.size;
    }
    /**
     * Opens an entry for reading: a regular file of `desc.size` bytes, reached without
     * following a link. Anything else there is removed. Undefined when nothing usable is there.
     */
    async open(desc) {
        await this.prepare();
        const path = this.path(desc.digest);
        const before = await (0,promises_namespaceObject.lstat)(path).catch(() => undefined);
        if (!before)
            return undefined;
        if (!before.isFile() || before.size !== desc.size) {
            await this.drop(desc.digest);
            return undefined;
        }
        let handle;
        try {
            handle = await (0,promises_namespaceObject.open)(path, READ_FLAGS);
        }
        catch {
            await this.drop(desc.digest);
            return undefined;
        }
        const info = await handle.stat();
        if (!info.isFile() ||
            info.size !== desc.size ||
            info.ino !== before.ino ||
            info.dev !== before.dev) {
            await handle.close();
            await this.drop(desc.digest);
            return undefined;
        }
        return handle;
    }
    /** A new file in this run's scratch directory, created exclusively (never through a link). */
    async scratch(digest) {
        const dir = await this.prepare();
        const path = (0,external_node_path_namespaceObject.join)(dir, `${blobHex(digest)}.${(0,external_node_crypto_namespaceObject.randomBytes)(4).toString('hex')}`);
        const handle = await (0,promises_namespaceObject.open)(path, CREATE_FLAGS, 0o644);
        return {
            path,
            handle,
            discard: async () => {
                await handle.close().catch(() => undefined);
                await (0,promises_namespaceObject.rm)(path, { force: true });
            }
        };
    }
    /** Renames a complete, verified scratch file into place; whatever was there goes. */
    async commit(part, digest) {
        await part.handle.close();
        const final = this.path(digest);
        try {
            await (0,promises_namespaceObject.rename)(part.path, final);
        }
        catch (err) {
            // A directory (or a non-empty one) in the blob's place: remove it and try once more.
            if (!['EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(err.code ?? ''))
                throw err;
            await this.drop(digest);
            await (0,promises_namespaceObject.rename)(part.path, final);
        }
    }
    /** Removes this run's scratch files; the cache stays. */
    async cleanup() {
        if (!this.prepared)
            return;
        const dir = await this.prepared.catch(() => undefined);
        if (dir)
            await (0,promises_namespaceObject.rm)(dir, { recursive: true, force: true });
    }
}
/**
 * Reads exactly `size` bytes of `handle` in chunks into one reused buffer, handing each to
 * `each` (awaited before the buffer is reused). Throws when the file ends early.
 */
async function readChunks(handle, size, each, chunkSize = 256 * 1024) {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkSize, size)));
    let position = 0;
    while (position < size) {
        const want = Math.min(buffer.length, size - position);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        if (bytesRead === 0)
            throw new Error(`cache entry ended at ${position} of ${size} bytes`);
        await each(buffer.subarray(0, bytesRead), position);
        position += bytesRead;
    }
}
/** Reads exactly `want` bytes at `position` into the start of `buffer`; throws at an early end. */
async function readFully(handle, buffer, want, position, size) {
    for (let got = 0; got < want;) {
        const { bytesRead } = await handle.read(buffer, got, want - got, position + got);
        if (bytesRead === 0) {
            throw new Error(`cache entry ended at ${position + got} of ${size} bytes`);
        }
        got += bytesRead;
    }
}
/**
 * Reads exactly `size` bytes of `handle`, in order, through a ring of `buffers` (all one
 * length): while `each` works on chunk k, chunks k+1.. are being read. `each` is called in
 * order, synchronously consumes the chunk (hashing it) and returns the work that still
 * uses the buffer (its writes); that buffer is read into again only after that work is
 * done. Nothing is in flight when this returns or throws (the first error wins), so the
 * caller may close the handle and reuse the buffers. Throws when the file ends early.
 */
async function pipeChunks(handle, size, buffers, each) {
    const chunkSize = buffers[0]?.length ?? 0;
    if (chunkSize === 0)
        throw new Error('pipeChunks needs at least one buffer');
    const reads = [];
    const uses = [];
    let issued = 0;
    const issue = (slot) => {
        const buffer = buffers[slot];
        const position = issued;
        const want = Math.min(chunkSize, size - position);
        issued += want;
        const free = uses[slot] ?? Promise.resolve();
        reads[slot] = free.then(() => readFully(handle, buffer, want, position, size));
        // Marked handled here; the loop below (or the final settle) still sees the rejection.
        reads[slot].catch(() => undefined);
    };
    try {
        for (let slot = 0; slot < buffers.length && issued < size; slot++)
            issue(slot);
        for (let k = 0, position = 0; position < size; k++) {
            const slot = k % buffers.length;
            await reads[slot];
            const length = Math.min(chunkSize, size - position);
            uses[slot] = each(buffers[slot].subarray(0, length), position);
            uses[slot].catch(() => undefined);
            position += length;
            if (issued < size)
                issue(slot);
        }
        await Promise.all(uses.filter(use => use !== undefined));
    }
    finally {
        await Promise.allSettled([...reads, ...uses].filter(work => work !== undefined));
    }
}
//# sourceMappingURL=cache.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/reference.js
/**
 * Image references, parsed and normalized as Docker does:
 *   eclipse-mosquitto:2.0 -> docker.io/library/eclipse-mosquitto:2.0
 * A first path component holding '.' or ':', equal to 'localhost', or with upper-case
 * letters names the registry; otherwise the registry is docker.io, and a single-component
 * name there gets 'library/'. No tag and no digest means ':latest'.
 */
const DOCKER_HUB = 'docker.io';
/** The API host behind docker.io. */
const DOCKER_HUB_API = 'registry-1.docker.io';
class ReferenceError extends Error {
    reference;
    constructor(reference, reason) {
        super(`invalid image reference "${reference}": ${reason}`);
        this.reference = reference;
        this.name = 'ReferenceError';
    }
}
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
function parseReference(input) {
    const ref = input.trim();
    if (ref === '')
        throw new ReferenceError(input, 'it is empty');
    if (/\s/.test(ref))
        throw new ReferenceError(input, 'it contains white space');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
        throw new ReferenceError(input, 'give a reference, not a URL (drop the scheme)');
    }
    let rest = ref;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) {
            throw new ReferenceError(input, `digest "${digest}" is not sha256:<64 lower-case hex digits>`);
        }
    }
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) {
            throw new ReferenceError(input, `tag "${tag}" is not valid (letters, digits, _ . -; at most 128)`);
        }
    }
    let registry = DOCKER_HUB;
    let path = rest;
    const slash = rest.indexOf('/');
    if (slash >= 0) {
        const first = rest.slice(0, slash);
        if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
            registry = first;
            path = rest.slice(slash + 1);
            if (!DOMAIN.test(registry)) {
                throw new ReferenceError(input, `registry "${registry}" is not a valid host[:port]`);
            }
            const port = registry.includes(':') ? Number(registry.slice(registry.indexOf(':') + 1)) : 1;
            if (port < 1 || port > 65535) {
                throw new ReferenceError(input, `registry "${registry}" has port ${port}; a port is a number from 1 to 65535`);
            }
        }
    }
    if (registry === 'index.docker.io')
        registry = DOCKER_HUB;
    if (path === '')
        throw new ReferenceError(input, 'the repository name is missing');
    if (registry === DOCKER_HUB && !path.includes('/'))
        path = `library/${path}`;
    for (const component of path.split('/')) {
        if (!COMPONENT.test(component)) {
            const why = component.toLowerCase() !== component
                ? 'repository names must be lower-case'
                : 'use lower-case letters, digits and separators . _ __ -';
            throw new ReferenceError(input, `path component "${component}" is not valid: ${why}`);
        }
    }
    if (`${registry}/${path}`.length > 255) {
        throw new ReferenceError(input, 'the name is longer than 255 characters');
    }
    if (tag === undefined && digest === undefined)
        tag = 'latest';
    return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}
/** registry/repository, without tag or digest. */
function repositoryName(ref) {
    return `${ref.registry}/${ref.repository}`;
}
/** The full normalized reference: registry/repository[:tag][@digest]. */
function formatReference(ref) {
    return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
/** The manifest reference to ask the registry for: the digest when pinned, else the tag. */
function manifestReference(ref) {
    return ref.digest ?? ref.tag ?? 'latest';
}
/**
 * A file name for a per-image archive, as the operator docs name them:
 * docker.io/kubeedge/cloudcore:v1.22.0 -> docker.io-kubeedge-cloudcore-v1.22.0.tar
 */
function archiveFileName(ref) {
    const version = ref.tag ?? ref.digest?.replace(':', '-') ?? 'latest';
    return `${ref.registry}/${ref.repository}-${version}.tar`.replace(/[/:@]/g, '-');
}
//# sourceMappingURL=reference.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/auth.js
/**
 * Registry credentials and the token flow.
 * Credentials come from action inputs (one registry) or a docker config.json `auths` map;
 * they are looked up by the host actually contacted, so they never go to another registry.
 */

/** Canonical host for credential lookup: scheme and path dropped, Docker Hub aliases folded. */
function credentialHost(key) {
    let host = key.trim().replace(/^[a-z]+:\/\//i, '');
    host = host.split('/')[0] ?? host;
    host = host.toLowerCase();
    if (host === 'index.docker.io' || host === DOCKER_HUB_API || host === 'registry.hub.docker.com') {
        return DOCKER_HUB;
    }
    return host;
}
class CredentialStore {
    byHost = new Map();
    set(host, credential) {
        this.byHost.set(credentialHost(host), credential);
    }
    get(host) {
        return this.byHost.get(credentialHost(host));
    }
    get size() {
        return this.byHost.size;
    }
    /** Every secret held, for masking in logs. */
    secrets() {
        return [...this.byHost.values()].flatMap(c => [
            c.password,
            Buffer.from(`${c.username}:${c.password}`).toString('base64')
        ]);
    }
    /**
     * Adds the `auths` entries of a docker config.json. `source` names it in errors.
     * Entries given as `auth` (base64 user:password) or as username/password are read;
     * credential helpers (credsStore, credHelpers) cannot run here and are reported.
     */
    addDockerConfig(content, source) {
        let doc;
        try {
            doc = JSON.parse(content);
        }
        catch (err) {
            throw new Error(`registry-auth (${source}) is not valid JSON: ${err.message}`, {
                cause: err
            });
        }
        if (typeof doc !== 'object' || doc === null) {
            throw new Error(`registry-auth (${source}) must be a JSON object with an "auths" map`);
        }
        const notes = [];
        const { auths, credsStore, credHelpers } = doc;
        if (credsStore || credHelpers) {
            notes.push(`registry-auth (${source}) names credential helpers; kedge reads only "auths" entries`);
        }
        for (const [key, entry] of Object.entries(auths ?? {})) {
            let username = entry.username;
            let password = entry.password;
            if (entry.auth) {
                const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
                const colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new Error(`registry-auth (${source}): auths["${key}"].auth is not base64 of "user:password"`);
                }
                username = decoded.slice(0, colon);
                password = decoded.slice(colon + 1);
            }
            if (username && password)
                this.set(key, { username, password });
        }
        return notes;
    }
}
function basicAuth(c) {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."`. */
function parseChallenge(header) {
    if (!header)
        return undefined;
    const match = /^\s*(\w+)\s*(.*)$/.exec(header);
    if (!match)
        return undefined;
    const params = {};
    for (const m of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        const key = m[1];
        if (key)
            params[key.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    }
    return { scheme: (match[1] ?? '').toLowerCase(), params };
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./packages/oci/lib/errors.js
/** Error helpers: recognizing errors across realms and saying what went wrong. */

/** True for any Error, also one made in another realm (Node's own fetch, a vm context). */
function isError(value) {
    return value instanceof Error || external_node_util_namespaceObject.types.isNativeError(value);
}
/**
 * A network error with its causes, which Node's fetch hides behind "fetch failed":
 * "fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)".
 */
function describeError(err) {
    const parts = [];
    let current = err;
    for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
        if (!isError(current)) {
            parts.push(typeof current === 'string' ? current : (0,external_node_util_namespaceObject.inspect)(current));
            break;
        }
        const code = current.code;
        const text = current.message +
            (typeof code === 'string' && !current.message.includes(code) ? ` (${code})` : '');
        const tidy = text.replace(/\s+/g, ' ').trim();
        if (tidy && !parts.includes(tidy))
            parts.push(tidy);
        // A CertificateError's message already says what its cause does.
        if (current instanceof CertificateError)
            break;
        current = current.cause;
    }
    return parts.join(': ');
}
/**
 * A hint for a scheme mismatch: TLS spoken to a plain-HTTP server, or plain HTTP to an
 * HTTPS one (a registry listed in insecure-registries that serves HTTPS: Go's server then
 * answers 400 "Client sent an HTTP request to an HTTPS server.").
 */
function tlsHint(description, host) {
    if (/EPROTO|wrong version number|packet length too long|ERR_SSL/i.test(description)) {
        return `; if ${host} serves plain HTTP, list it in insecure-registries`;
    }
    if (/HTTP request to an HTTPS server/i.test(description)) {
        return `; ${host} serves HTTPS: take it out of insecure-registries (a private CA or a self-signed certificate is trusted through NODE_EXTRA_CA_CERTS)`;
    }
    return '';
}
/** OpenSSL's verdicts on a chain no trusted CA vouches for (a private CA, a self-signed one). */
const UNTRUSTED = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_UNTRUSTED'
]);
const NOT_NOW = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** The other verdicts on a server's certificate (node's tls and OpenSSL's X509_V_ERR names). */
const REJECTED = new Set([
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'HOSTNAME_MISMATCH',
    'IP_ADDRESS_MISMATCH',
    'CERT_REVOKED',
    'CERT_REJECTED',
    'CERT_SIGNATURE_FAILURE',
    'CERT_CHAIN_TOO_LONG',
    'INVALID_CA',
    'INVALID_PURPOSE',
    'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
    'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
    'ERROR_IN_CERT_NOT_BEFORE_FIELD',
    'ERROR_IN_CERT_NOT_AFTER_FIELD',
    'CA_KEY_TOO_SMALL',
    'EE_KEY_TOO_SMALL',
    'CA_MD_TOO_WEAK'
]);
/** True when `err` is node refusing a server's certificate (by its code). */
function refusesCertificate(err) {
    const code = err?.code;
    return (typeof code === 'string' && (UNTRUSTED.has(code) || NOT_NOW.has(code) || REJECTED.has(code)));
}
/**
 * A server's TLS certificate was refused. The message names the host and says what to do;
 * `code` is node's (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...). Not worth a retry.
 */
class CertificateError extends Error {
    host;
    code;
    constructor(host, cause) {
        super(certificateMessage(host, cause), { cause });
        this.host = host;
        this.name = 'CertificateError';
        this.code = cause.code;
    }
}
function certificateMessage(host, cause) {
    const why = `${cause.message.replace(/\s+/g, ' ').trim()}, ${cause.code}`;
    if (UNTRUSTED.has(cause.code)) {
        const extra = process.env.NODE_EXTRA_CA_CERTS;
        const trust = extra
            ? `NODE_EXTRA_CA_CERTS (${extra}) holds no CA that signed it: put the registry's CA certificate (or its self-signed certificate) there`
            : `if the registry uses a private CA or a self-signed certificate, set NODE_EXTRA_CA_CERTS to a PEM file holding it (node reads it at start-up: set it in the step's env)`;
        return `the TLS certificate of ${host} is not trusted (${why}): ${trust}; insecure-registries is only for registries that serve plain HTTP`;
    }
    if (NOT_NOW.has(cause.code)) {
        return `the TLS certificate of ${host} is not valid now (${why}): renew it on the registry, or check this machine's clock`;
    }
    return `the TLS certificate of ${host} is refused (${why})`;
}
/** `err` as a CertificateError for `host` when it is node refusing a certificate; else undefined. */
function certificateError(err, host) {
    if (err instanceof CertificateError)
        return err;
    if (!isError(err) || !refusesCertificate(err))
        return undefined;
    return new CertificateError(host, err);
}
/** A refused certificate, anywhere in the cause chain: retrying will not change it. */
function isCertificateError(err) {
    let current = err;
    for (let depth = 0; depth < 4 && isError(current); depth++) {
        if (current instanceof CertificateError || refusesCertificate(current))
            return true;
        current = current.cause;
    }
    return false;
}
/**
 * A proxy's refusal to tunnel or forward (an answer to CONNECT other than 200). 407 and 403
 * are `permanent` (credentials or policy: retrying will not change them); a 502 or 504 (the
 * proxy could not reach the registry) is retried like any network failure.
 */
class ProxyRefusal extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'ProxyRefusal';
    }
    get permanent() {
        return this.status === 407 || this.status === 403;
    }
}
/** A proxy setting (HTTPS_PROXY and the like) that cannot be used as it is. */
class ProxySettingError extends Error {
    name = 'ProxySettingError';
}
/** Retrying will not help: a refused certificate, a proxy refusing for good or unusable. */
function isPermanentError(err) {
    let current = err;
    for (let depth = 0; depth < 4 && isError(current); depth++) {
        if (current instanceof ProxyRefusal && current.permanent)
            return true;
        if (current instanceof ProxySettingError)
            return true;
        current = current.cause;
    }
    return isCertificateError(err);
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");
;// CONCATENATED MODULE: ./packages/oci/lib/proxy.js
/**
 * Which HTTP proxy a registry request goes through, from the environment, as docker,
 * containerd and skopeo read it (Go's httpproxy rules): `https_proxy`/`HTTPS_PROXY` for
 * https URLs, `http_proxy`/`HTTP_PROXY` for http ones, the lower-case name first, and
 * `no_proxy`/`NO_PROXY` for the hosts that go direct. Loopback never goes through a proxy.
 */


/** The proxy for `url` (an http:// URL, maybe with user:password), or undefined for direct. */
function proxyFor(url, env = process.env) {
    const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    const name = names.find(n => env[n]?.trim());
    const setting = name ? (env[name] ?? '').trim() : '';
    if (!name || !setting)
        return undefined;
    const { host: literal, port } = endpoint(url);
    const host = literal.toLowerCase();
    if (isLoopback(host) || bypassed(host, String(port), env.no_proxy ?? env.NO_PROXY ?? '')) {
        return undefined;
    }
    return parseProxy(name, setting);
}
/** `user:password@` of a proxy URL as a Proxy-Authorization value, or undefined. */
function proxyAuthorization(proxy) {
    if (!proxy.username && !proxy.password)
        return undefined;
    const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
}
/** The proxy as it may be shown in logs and errors: no user or password. */
function proxyLabel(proxy) {
    return `http://${proxy.host}`;
}
/** A URL's host (brackets off an IPv6 literal) and port (the scheme's when none is given). */
function endpoint(url) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
/**
 * A proxy setting as a URL; "proxy.example:3128" without a scheme means http://, as curl
 * and Go take it. Throws (TypeError) when it does not parse.
 */
function proxyUrl(setting) {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : `http://${setting}`);
}
/** What a proxy's refusal of `what` (CONNECT host:port, or GET url) means, and what to do. */
function refusal(proxy, what, status, statusLine) {
    const answer = statusLine.trim() || 'no status line';
    let advice = 'retry later, or ask the proxy admin';
    if (status === 407) {
        advice = proxy.username
            ? 'it refused the user and password in the proxy URL: check them'
            : 'it wants credentials: set the proxy URL to http://user:password@host:port';
    }
    else if (status === 403) {
        advice = `it does not allow this: ask the proxy admin, or list the host in NO_PROXY if it is reached directly`;
    }
    return new ProxyRefusal(`proxy ${proxyLabel(proxy)} refused ${what} (${answer}): ${advice}`, status);
}
function parseProxy(name, setting) {
    let proxy;
    try {
        proxy = proxyUrl(setting);
    }
    catch {
        throw new ProxySettingError(`${name} is not a proxy URL: use http://host:port (or http://user:password@host:port)`);
    }
    try {
        decodeURIComponent(proxy.username + proxy.password);
    }
    catch {
        throw new ProxySettingError(`${name}: the user or password is not percent-encoded: write a % in them as %25`);
    }
    if (proxy.protocol !== 'http:') {
        throw new ProxySettingError(`${name}: ${proxy.protocol}// proxies are not supported; use an http:// proxy (HTTPS to the registry is tunnelled through it with CONNECT)`);
    }
    return proxy;
}
function isLoopback(host) {
    if (host === 'localhost' || host.endsWith('.localhost'))
        return true;
    if ((0,external_node_net_namespaceObject.isIP)(host) === 4)
        return host.startsWith('127.');
    return host === '::1';
}
/**
 * NO_PROXY: comma- or space-separated entries. `*` matches every host; an IP or a CIDR
 * block matches addresses; a name matches itself and its subdomains (a leading dot or
 * `*.` too); an entry with `:port` matches that port only.
 */
function bypassed(host, port, noProxy) {
    for (const raw of noProxy.split(/[\s,]+/)) {
        const entry = raw.trim().toLowerCase();
        if (!entry)
            continue;
        if (entry === '*')
            return true;
        if (entry.includes('/')) {
            if (inBlock(host, entry))
                return true;
            continue;
        }
        const [name, entryPort] = splitPort(entry);
        if (entryPort && entryPort !== port)
            continue;
        const bare = name.replace(/^\*?\./, '');
        if (host === bare || host.endsWith(`.${bare}`))
            return true;
    }
    return false;
}
function splitPort(entry) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed)
        return [bracketed[1] ?? '', bracketed[2]];
    if ((0,external_node_net_namespaceObject.isIP)(entry) === 6)
        return [entry, undefined];
    const m = /^(.*):(\d+)$/.exec(entry);
    return m ? [m[1] ?? '', m[2]] : [entry, undefined];
}
function inBlock(host, cidr) {
    const family = (0,external_node_net_namespaceObject.isIP)(host);
    const [network = '', bits = ''] = cidr.split('/');
    if (!family || (0,external_node_net_namespaceObject.isIP)(network) !== family || !/^\d+$/.test(bits))
        return false;
    const list = new external_node_net_namespaceObject.BlockList();
    try {
        list.addSubnet(network, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
    catch {
        return false;
    }
    return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
//# sourceMappingURL=proxy.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/http-framing.js
/**
 * Where an HTTP/1.1 response's body lies in the bytes a connection reads (RFC 9112 §6):
 * a Content-Length, chunked transfer coding, or everything up to the close. The decoder
 * hands out views of the bytes it is given, copying nothing; wire.ts feeds it one read at
 * a time.
 */
class FramingError extends Error {
    constructor(message) {
        super(message);
        this.name = 'FramingError';
    }
}
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE = 4096;
/** The framing a response's head announces (`method` HEAD and 1xx/204/304 have no body). */
function framingOf(method, status, headers) {
    if (method === 'HEAD' || status === 204 || status === 304 || status < 200) {
        return { kind: 'length', length: 0 };
    }
    const coding = String(headers['transfer-encoding'] ?? '').toLowerCase();
    if (coding) {
        if (coding.split(',').at(-1)?.trim() === 'chunked')
            return { kind: 'chunked' };
        return { kind: 'close' };
    }
    const declared = headers['content-length'];
    if (declared === undefined)
        return { kind: 'close' };
    const values = String(declared)
        .split(',')
        .map(v => v.trim());
    if (!values.every(v => /^\d{1,15}$/.test(v)) || new Set(values).size !== 1) {
        throw new FramingError(`invalid Content-Length "${String(declared)}"`);
    }
    return { kind: 'length', length: Number(values[0]) };
}
/** Decodes one body; `next` returns the next view of body bytes in buf[start, end). */
class BodyDecoder {
    framing;
    /** The whole body has been seen. */
    done;
    left;
    state = 'size';
    line = '';
    constructor(framing) {
        this.framing = framing;
        this.left = framing.kind === 'length' ? framing.length : 0;
        this.done = framing.kind === 'length' && framing.length === 0;
    }
    /**
     * The next piece of body in buf[start, end), and where the unread bytes now start. `view`
     * is undefined when the bytes held only framing (or nothing); bytes past the body's end
     * are left unread.
     */
    next(buf, start, end) {
        if (this.done || start >= end)
            return { next: start };
        if (this.framing.kind === 'close')
            return { view: buf.subarray(start, end), next: end };
        if (this.framing.kind === 'length') {
            const take = Math.min(this.left, end - start);
            this.left -= take;
            this.done = this.left === 0;
            return { view: buf.subarray(start, start + take), next: start + take };
        }
        return this.nextChunked(buf, start, end);
    }
    /** The peer closed the connection: fine only for a body that runs to the close. */
    end() {
        if (this.done)
            return;
        if (this.framing.kind === 'close') {
            this.done = true;
            return;
        }
        throw new FramingError(this.framing.kind === 'length'
            ? `connection closed with ${this.left} of ${this.framing.length} body bytes unread`
            : 'connection closed inside a chunked body');
    }
    nextChunked(buf, start, end) {
        let at = start;
        while (at < end && !this.done) {
            if (this.state === 'data') {
                const take = Math.min(this.left, end - at);
                this.left -= take;
                if (this.left === 0)
                    this.state = 'data-end';
                return { view: buf.subarray(at, at + take), next: at + take };
            }
            const newline = buf.indexOf(10, at);
            const stop = newline < 0 || newline >= end ? end : newline + 1;
            this.line += buf.toString('latin1', at, stop);
            at = stop;
            if (this.line.length > MAX_LINE)
                throw new FramingError('chunked body: a line is too long');
            if (this.line.endsWith('\n'))
                this.takeLine(this.line.replace(/\r?\n$/, ''));
        }
        return { next: at };
    }
    takeLine(line) {
        this.line = '';
        if (this.state === 'data-end') {
            if (line !== '')
                throw new FramingError('chunked body: no line end after a chunk');
            this.state = 'size';
        }
        else if (this.state === 'size') {
            const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line)?.[1];
            if (size === undefined)
                throw new FramingError(`chunked body: bad chunk size "${line}"`);
            this.left = parseInt(size, 16);
            this.state = this.left === 0 ? 'trailer' : 'data';
        }
        else if (line === '') {
            this.done = true;
        }
    }
}
//# sourceMappingURL=http-framing.js.map
// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __nccwpck_require__(877);
;// CONCATENATED MODULE: external "node:vm"
const external_node_vm_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:vm");
;// CONCATENATED MODULE: ./packages/oci/lib/young-gc.js
/**
 * Paces young-generation garbage collection by the bytes a download receives.
 *
 * A download still leaves short-lived JavaScript garbage behind each read (views, promises,
 * iterator results). V8, left alone, lets the young generation grow to many MiB before it
 * scavenges, and the resident set grows with it. Asking for a scavenge every 8 MiB received
 * keeps it small. The interval is measured (the scale bench's 1 GiB set, node 24): every
 * 8 MiB gave 67 MiB peak and the fastest runs; every MiB (right when node:http allocated a
 * 64 KiB buffer per read, before wire.ts) cost ~0.4 s of collector time per GiB; never, 70.
 * What survives two scavenges (a transfer's state, its pending promises) moves to the old
 * generation and stays until a full collection, which V8 puts off while the old generation
 * is small; one every 256 MiB received took the 3 GiB set from 64.0-64.4 MiB peak to
 * 62.9-63.0 on node 24, in no more time (3 interleaved runs each).
 *
 * `gc` is reached the documented way, --expose-gc, set at run time with
 * v8.setFlagsFromString (a GitHub action cannot pass node flags) and picked up from a new
 * context. When that is not possible the pacing is a no-op and V8 collects as it would.
 */


const EVERY = 8 * 1024 * 1024;
/** Scavenges between full collections. */
const MAJOR_EVERY = 32;
let collect;
let since = 0;
let scavenges = 0;
function loadCollect() {
    try {
        (0,external_node_v8_.setFlagsFromString)('--expose-gc');
        const gc = (0,external_node_vm_namespaceObject.runInNewContext)('typeof gc === "function" ? gc : undefined');
        return typeof gc === 'function' ? gc : null;
    }
    catch {
        return null;
    }
}
/** Counts `bytes` received; every 8 MiB asks V8 for a scavenge, every 256 MiB a full GC. */
function youngGarbage(bytes) {
    since += bytes;
    if (since < EVERY)
        return;
    since = 0;
    scavenges += 1;
    if (collect === undefined)
        collect = loadCollect();
    collect?.({ type: scavenges % MAJOR_EVERY === 0 ? 'major' : 'minor' });
}
//# sourceMappingURL=young-gc.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/tunnel.js
/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110 §9.3.6): the socket to the proxy,
 * once it answered 200, carries TLS to the registry end to end. The proxy sees only the
 * host and port.
 */


const MAX_HEAD = 64 * 1024;
/** Opens a tunnel to `target` (host:port) through `proxy`; the socket comes back paused. */
function openTunnel(proxy, target, idleTimeoutMs) {
    const label = proxyLabel(proxy);
    return new Promise((resolve, reject) => {
        const socket = (0,external_node_net_namespaceObject.connect)(endpoint(proxy));
        let head = Buffer.alloc(0);
        const done = (err) => {
            socket.removeAllListeners('data');
            socket.removeAllListeners('end');
            socket.removeAllListeners('timeout');
            socket.setTimeout(0);
            if (err) {
                socket.destroy();
                reject(err);
            }
        };
        socket.on('error', err => {
            // The cause's text is in the message already (describeError would repeat it).
            const code = err.code;
            const detail = code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
            done(new Error(`proxy ${label}, for CONNECT ${target}: ${detail}`));
        });
        socket.on('end', () => {
            done(new Error(`proxy ${label} closed the connection before answering CONNECT ${target}`));
        });
        socket.setTimeout(idleTimeoutMs, () => {
            done(new Error(`proxy ${label}: no answer to CONNECT ${target} in ${idleTimeoutMs} ms`));
        });
        socket.on('data', (chunk) => {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) {
                if (head.length > MAX_HEAD)
                    done(new Error(`proxy ${label}: answer head over 64 KiB`));
                return;
            }
            const statusLine = head.toString('latin1', 0, head.indexOf('\r\n'));
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
            if (status !== 200) {
                done(refusal(proxy, `CONNECT ${target}`, status, statusLine));
                return;
            }
            // TLS speaks first, so nothing may follow the 200 yet; tls.connect would not see it
            // anyway (it reads the socket's handle, not what node buffered).
            if (head.length > end + 4) {
                done(new Error(`proxy ${label} sent data after its 200 to CONNECT ${target}`));
                return;
            }
            socket.pause();
            done();
            resolve(socket);
        });
        const auth = proxyAuthorization(proxy);
        socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` +
            (auth ? `proxy-authorization: ${auth}\r\n` : '') +
            '\r\n');
    });
}
//# sourceMappingURL=tunnel.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/wire.js
/**
 * HTTP/1.1 on node:net and node:tls, with kept-alive connections, for registry traffic.
 *
 * Why not node:http: it hands every socket read to JavaScript in a fresh 64 KiB buffer,
 * and its parser copies each body piece again. On a blob fetch that garbage, waiting for
 * the GC, was most of the resident set, and the two copies most of the CPU beside sha256
 * (npm run bench --scale; the README's "Speed and memory" has the figures). Here each connection
 * reads into one buffer of its own (net's `onread`), and a body is an async iterable of
 * views into that buffer. Reading pauses after every read and resumes only when the next
 * view is asked for, so a view stays valid until then and the buffer is never written
 * under a reader. Nothing is allocated per read.
 */






/**
 * Read buffer sizes. A plain socket read fills up to 64 KiB; TLS hands over one record at a
 * time, at most 16 KiB of plaintext, so a larger buffer would sit mostly empty (and TLS may
 * deliver several records after a pause, each into a buffer of its own).
 */
const READ_BUFFER = 64 * 1024;
const TLS_READ_BUFFER = 16 * 1024;
const EMPTY = Buffer.alloc(0);
/** Tunnelled TLS reads count this many times more toward a scavenge (Connection). */
const TUNNEL_GC_WEIGHT = 3;
const wire_MAX_HEAD = 64 * 1024;
/** A body up to this size is read to its end when discarded, to keep the connection. */
const DRAIN_LIMIT = 256 * 1024;
/**
 * One connection. Reads land in buffers of its own, handed to node one at a time (`onread`
 * with a buffer function); `buffer[start, end)` is the read being taken, `queued` the reads
 * not reached yet. A socket pauses after each read, but TLS may still deliver the rest of
 * what it decrypted, each piece into the next buffer, so no unread byte is overwritten.
 * TLS through a proxy's tunnel cannot take `onread` (node ignores it beside `socket`): its
 * reads come as 'data' chunks, each queued the same way, with a pause after each.
 */
class Connection {
    origin;
    pool;
    socket;
    buffer = EMPTY;
    start = 0;
    end = 0;
    closed = false;
    error;
    spare = [];
    queued = [];
    wake;
    /** Whether a taken read's buffer goes back to `spare` (onread buffers; not 'data' chunks). */
    recycle;
    constructor(origin, 
    /** Its idle pool (poolKey): the origin, the CAs it was verified against, the proxy. */
    pool, url, ca, tls, 
    /** A CONNECT tunnel to carry TLS, or an HTTP proxy to connect to instead of the origin. */
    route = {}) {
        this.origin = origin;
        this.pool = pool;
        const { host, port } = endpoint(route.via ?? url);
        this.recycle = !route.tunnel;
        const onread = {
            buffer: () => this.spare.pop() ?? Buffer.allocUnsafeSlow(tls ? TLS_READ_BUFFER : READ_BUFFER),
            callback: (n, buf) => this.onRead(n, buf)
        };
        if (tls) {
            // tls.connect takes `onread` as net.connect does (node docs); @types/node omits it.
            const options = {
                host,
                port,
                onread,
                ALPNProtocols: ['http/1.1'],
                ...((0,external_node_net_namespaceObject.isIP)(host) ? {} : { servername: host }),
                ...(ca ? { ca } : {}),
                ...(route.tunnel ? { socket: route.tunnel } : {})
            };
            this.socket = tls.connect(options);
            if (route.tunnel) {
                this.socket.on('data', (chunk) => {
                    this.onRead(chunk.length, chunk);
                    this.socket.pause();
                    // Each chunk is a fresh 16 KiB buffer (malloc'd, freed only by a scavenge): with a
                    // scavenge every 2 MiB instead of 8 (the reader counts the same bytes again), a
                    // 1 GiB fetch through a tunnel peaks at 73 MiB instead of 80 (66 without a proxy);
                    // every 1 MiB, 71 MiB but 20% slower.
                    youngGarbage(chunk.length * TUNNEL_GC_WEIGHT);
                });
            }
        }
        else {
            this.socket = (0,external_node_net_namespaceObject.connect)({ host, port, onread });
        }
        this.socket.setNoDelay(true);
        this.socket.on('error', err => {
            this.fail(err);
        });
        this.socket.on('end', () => {
            this.onClose();
        });
        this.socket.on('close', () => {
            this.onClose();
        });
        this.socket.on('timeout', () => this.socket.destroy(new Error(`no data from ${url.host} for ${this.socket.timeout} ms`)));
    }
    /** Queues a read and pauses the socket until it is taken (`fill`). */
    onRead(n, buf) {
        this.queued.push({ buf, n });
        this.wakeUp();
        return false;
    }
    fail(err) {
        this.error ??= err;
        this.closed = true;
        this.wakeUp();
    }
    onClose() {
        this.closed = true;
        this.wakeUp();
    }
    wakeUp() {
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
    }
    /**
     * Makes the next read current once this one is taken: waits for one, or for the end
     * (then start === end and `closed`); throws the connection's error. The previous read's
     * buffer is reused from here on, so views of it must be done with.
     */
    async fill() {
        while (this.start === this.end) {
            const next = this.queued.shift();
            if (next) {
                if (this.buffer !== EMPTY && this.recycle)
                    this.spare.push(this.buffer);
                this.buffer = next.buf;
                this.start = 0;
                this.end = next.n;
                break;
            }
            if (this.closed)
                break;
            await new Promise(resolve => {
                this.wake = resolve;
                this.socket.resume();
            });
        }
        if (this.error && this.start === this.end)
            throw this.error;
    }
    get reusable() {
        return (!this.closed && !this.socket.destroyed && this.start === this.end && this.queued.length === 0);
    }
    destroy(err) {
        if (err)
            this.error ??= err;
        this.closed = true;
        this.socket.destroy();
    }
}
let tlsModule;
/**
 * node:tls, loaded for the first HTTPS request: a plain-HTTP run (a mirror on the local
 * network) never loads it. Measured on node 24: 5 MiB resident on a bare node, under 1 MiB
 * beside the crypto and net modules a fetch loads anyway.
 */
async function loadTls() {
    tlsModule ??= await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 692, 19));
    return tlsModule;
}
/** Idle kept-alive connections by pool (poolKey). */
const idle = new Map();
/**
 * A connection is reused only by requests to its origin that trust what it was verified
 * against: a request with its own `ca` must not take one checked against node's CAs (or
 * another `ca`), nor the other way round.
 */
function poolKey(url, ca, proxy) {
    const via = proxy ? ` via:${proxy.href}` : '';
    if (!ca || url.protocol !== 'https:')
        return url.origin + via;
    return `${url.origin} ca:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(ca).digest('hex')}${via}`;
}
function take(pool) {
    const list = idle.get(pool) ?? [];
    for (let conn = list.pop(); conn; conn = list.pop()) {
        if (conn.reusable)
            return conn;
        conn.destroy();
    }
    return undefined;
}
function putBack(conn) {
    if (!conn.reusable) {
        conn.destroy();
        return;
    }
    conn.socket.setTimeout(0);
    conn.socket.unref();
    // Read while idle: a close (or stray bytes) is noticed and the connection not reused.
    conn.socket.resume();
    const list = idle.get(conn.pool) ?? [];
    list.push(conn);
    idle.set(conn.pool, list);
}
/** Closes every idle connection (tests; a process exits without it, idle ones are unref'd). */
function closeIdleConnections() {
    for (const list of idle.values())
        for (const conn of list)
            conn.destroy();
    idle.clear();
}
/** Sends one request; resolves when the status line and headers have arrived. */
async function wireRequest(url, options) {
    const text = requestHead(url, options);
    const pool = poolKey(url, options.ca, options.proxy);
    const reused = take(pool);
    if (reused) {
        try {
            return await exchange(reused, text, options, true);
        }
        catch (err) {
            // A kept-alive connection the server closed meanwhile: once more on a new one.
            if (!(err instanceof StaleConnectionError))
                throw err;
        }
    }
    const tls = url.protocol === 'https:' ? await loadTls() : undefined;
    const conn = new Connection(url.origin, pool, url, options.ca, tls, await route(url, options));
    return exchange(conn, text, options, false);
}
/** How a new connection reaches `url`: directly, through a tunnel, or via a proxy. */
async function route(url, options) {
    const proxy = options.proxy;
    if (!proxy)
        return {};
    if (url.protocol !== 'https:')
        return { via: proxy };
    const { host, port } = endpoint(url);
    const target = (0,external_node_net_namespaceObject.isIP)(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    return { tunnel: await openTunnel(proxy, target, options.idleTimeoutMs) };
}
/** The connection ended before one byte of the answer: it went stale while idle. */
class StaleConnectionError extends Error {
}
async function exchange(conn, requestText, options, reused) {
    conn.socket.ref();
    conn.socket.setTimeout(options.idleTimeoutMs);
    conn.socket.write(requestText);
    let framing;
    let head;
    try {
        head = await readHead(conn, reused);
        framing = framingOf(options.method, head.status, head.headers);
    }
    catch (err) {
        conn.destroy();
        throw err;
    }
    const { status, headers } = head;
    const keep = !/\bclose\b/i.test(String(headers.connection ?? ''));
    return { status, headers, body: new WireBody(conn, new BodyDecoder(framing), keep) };
}
/** The request line and headers; plain HTTP through a proxy names the whole URL. */
function requestHead(url, options) {
    const viaProxy = options.proxy && url.protocol === 'http:' ? options.proxy : undefined;
    const target = viaProxy
        ? `${url.origin}${url.pathname}${url.search}`
        : `${url.pathname}${url.search}`;
    const lines = [`${options.method} ${target} HTTP/1.1`, `host: ${url.host}`];
    const auth = viaProxy && proxyAuthorization(viaProxy);
    if (auth)
        lines.push(`proxy-authorization: ${auth}`);
    for (const [name, value] of Object.entries(options.headers)) {
        if (/[\r\n]/.test(name + value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
            throw new Error(`refusing to send header "${name}": invalid name or a line break in it`);
        }
        if (name.toLowerCase() !== 'host')
            lines.push(`${name}: ${value}`);
    }
    return `${lines.join('\r\n')}\r\n\r\n`;
}
/**
 * Reads the status line and headers, skipping 1xx answers; leaves the body unread. On a
 * kept-alive connection (`reused`), an end before the first byte is a StaleConnectionError.
 */
async function readHead(conn, reused) {
    let text = '';
    let answered = false;
    for (;;) {
        try {
            await conn.fill();
        }
        catch (err) {
            if (reused && !answered && isStale(err))
                throw new StaleConnectionError(String(err));
            throw err;
        }
        if (conn.start === conn.end) {
            if (reused && !answered)
                throw new StaleConnectionError('closed while idle');
            throw new FramingError(`${conn.origin} closed the connection before a whole answer`);
        }
        answered = true;
        const before = text.length;
        text += conn.buffer.toString('latin1', conn.start, conn.end);
        const stop = text.indexOf('\r\n\r\n');
        if (stop < 0) {
            if (text.length > wire_MAX_HEAD)
                throw new FramingError('response head over 64 KiB');
            conn.start = conn.end;
            continue;
        }
        // The head ends in this read (the last one held no blank line): the body starts after it.
        conn.start += stop + 4 - before;
        const parsed = parseHead(text.slice(0, stop));
        if (parsed.status >= 200)
            return parsed;
        text = ''; // 1xx: the real answer follows
    }
}
function isStale(err) {
    const code = err?.code;
    return code === 'ECONNRESET' || code === 'EPIPE';
}
function parseHead(text) {
    const [statusLine = '', ...lines] = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m)
        throw new FramingError(`not an HTTP/1.1 status line: "${statusLine.slice(0, 80)}"`);
    const headers = {};
    for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon <= 0)
            throw new FramingError(`bad header line "${line.slice(0, 80)}"`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        const had = headers[name];
        if (name === 'set-cookie')
            headers[name] = [...(had ?? []), value];
        else
            headers[name] = had === undefined ? value : `${String(had)}, ${value}`;
    }
    return { status: Number(m[1]), headers };
}
/** A body on a connection: at its end the connection is kept; a body left early closes it. */
class WireBody {
    conn;
    decoder;
    keep;
    used = false;
    finished = false;
    constructor(conn, decoder, keep) {
        this.conn = conn;
        this.decoder = decoder;
        this.keep = keep;
        if (decoder.done)
            this.finish(true);
    }
    async *[Symbol.asyncIterator]() {
        if (this.used)
            throw new Error('a response body can be read only once');
        this.used = true;
        let complete = false;
        try {
            while (!this.decoder.done) {
                await this.conn.fill();
                if (this.conn.start === this.conn.end) {
                    this.decoder.end(); // the connection ended: the body must have been complete
                    continue;
                }
                const { view, next } = this.decoder.next(this.conn.buffer, this.conn.start, this.conn.end);
                this.conn.start = next;
                if (view && view.length > 0)
                    yield view;
            }
            complete = true;
        }
        finally {
            this.finish(complete);
        }
    }
    /** Abandons the body and closes its connection. */
    destroy(err) {
        this.used = true;
        this.conn.destroy(err);
    }
    /** Drops an unwanted body: a small one is read out to keep the connection, else closed. */
    discard() {
        if (this.used || this.decoder.done)
            return;
        void (async () => {
            let size = 0;
            for await (const view of this) {
                size += view.length;
                if (size > DRAIN_LIMIT)
                    break;
            }
        })().catch(() => undefined);
    }
    finish(complete) {
        if (this.finished)
            return;
        this.finished = true;
        if (complete && this.keep)
            putBack(this.conn);
        else
            this.conn.destroy();
    }
}
//# sourceMappingURL=wire.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/http.js
/**
 * Requests for the registry client, on wire.ts (HTTP/1.1 on node:net/node:tls with
 * kept-alive connections and a reused read buffer per connection). Node's fetch (undici,
 * web streams) measured ~1.7x slower than node:http for large blob bodies on loopback, and
 * node:http ~1.7x slower than wire.ts, with far more garbage (README, "Speed and memory").
 */




function header(res, name) {
    const value = res.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}
/** Sends one request; resolves when the status line and headers arrived. */
async function request(url, options) {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new Error(`unsupported URL scheme in ${url}`);
    }
    const proxy = proxyFor(target, options.proxyEnv);
    const res = await wireRequest(target, {
        method: options.method ?? 'GET',
        headers: { 'user-agent': 'kedge', ...options.headers },
        idleTimeoutMs: options.idleTimeoutMs,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(proxy ? { proxy } : {})
    }).catch((err) => {
        // A refused certificate says whose, and what to do (errors.ts); others go as they are.
        throw certificateError(err, target.host) ?? err;
    });
    if (proxy && res.status === 407) {
        res.body.discard();
        throw refusal(proxy, `${options.method ?? 'GET'} ${url}`, 407, 'HTTP/1.1 407');
    }
    return { status: res.status, url, headers: res.headers, body: res.body };
}
/** Reads a whole (small) body, refusing more than `limit` bytes. */
async function readBody(res, limit) {
    const declared = Number(header(res, 'content-length') ?? 0);
    if (declared > limit) {
        res.body.destroy();
        throw new Error(`${res.url} answers ${declared} bytes, over the ${limit}-byte limit`);
    }
    const chunks = [];
    let size = 0;
    for await (const view of res.body) {
        size += view.length;
        if (size > limit) {
            res.body.destroy();
            throw new Error(`${res.url} sent more than ${limit} bytes`);
        }
        chunks.push(Buffer.from(view)); // the view's buffer is reused by the next read
    }
    return Buffer.concat(chunks);
}
/** Frees the connection of an answer whose body is not wanted. */
function discard(res) {
    res.body.discard();
}
//# sourceMappingURL=http.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/log.js
const silentLogger = {
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined
};
//# sourceMappingURL=log.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/retry.js
/** Retries with exponential backoff and full jitter. */
const defaultRetry = {
    attempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 15000,
    budgetMs: 15 * 60 * 1000
};
/**
 * Why retrying must stop, or '' to go on: `idle` tries in a row brought nothing, or the
 * next try would start `elapsedMs` after the first failure, past the budget.
 */
function retryExhausted(options, idle, elapsedMs) {
    if (idle >= options.attempts)
        return `${idle} tries in a row made no progress`;
    if (elapsedMs > options.budgetMs) {
        const budget = options.budgetMs < 10000
            ? `${options.budgetMs} ms`
            : `${Math.round(options.budgetMs / 1000)} s`;
        return `the retry budget of ${budget} is spent`;
    }
    return '';
}
/** The wait before try number `attempt + 1` (attempt counts from 1). */
function backoffDelay(attempt, options, retryAfterMs) {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.random() * ceiling;
    // The server's Retry-After is honoured in full; the retry budget decides whether to wait.
    return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}
function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}
/** An HTTP answer worth trying again: 408, 429 and 5xx. */
function retryableStatus(status) {
    return status === 408 || status === 429 || status >= 500;
}
/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
function retryAfterMs(header) {
    if (!header)
        return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds))
        return Math.max(0, seconds * 1000);
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
//# sourceMappingURL=retry.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/ratelimit.js

function first(headers, name) {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
}
/** `100;w=21600` -> [100, 21600] */
function quota(value) {
    if (!value)
        return [undefined, undefined];
    const [count, ...params] = value.split(';').map(s => s.trim());
    const window = params.find(p => p.startsWith('w='))?.slice(2);
    const n = Number(count);
    const w = Number(window);
    return [Number.isFinite(n) ? n : undefined, window && Number.isFinite(w) ? w : undefined];
}
/** The rate-limit headers of an answer, or undefined when it sent none. */
function readRateLimit(host, headers) {
    const [limit, windowSeconds] = quota(first(headers, 'ratelimit-limit'));
    const [remaining] = quota(first(headers, 'ratelimit-remaining'));
    const reset = first(headers, 'ratelimit-reset');
    const resetMs = retryAfterMs(first(headers, 'retry-after') ?? null) ?? retryAfterMs(reset ?? null);
    if (limit === undefined && remaining === undefined && resetMs === undefined)
        return undefined;
    return {
        host,
        ...(limit !== undefined ? { limit } : {}),
        ...(remaining !== undefined ? { remaining } : {}),
        ...(windowSeconds !== undefined ? { windowSeconds } : {}),
        ...(resetMs !== undefined ? { resetMs } : {})
    };
}
/** One line for logs and summaries: `registry-1.docker.io: 7 of 10 pulls left per 3600 s`. */
function describeRateLimit(info) {
    const window = info.windowSeconds !== undefined ? ` per ${info.windowSeconds} s` : '';
    const left = info.remaining !== undefined && info.limit !== undefined
        ? `${info.remaining} of ${info.limit} pulls left${window}`
        : info.limit !== undefined
            ? `limit ${info.limit} pulls${window}`
            : 'rate limited';
    return `${info.host}: ${left}`;
}
/** A 429 whose reset comes later than the run may wait: fail now, and say what to do. */
class RateLimitError extends Error {
    info;
    constructor(info, what, budgetMs) {
        const resetS = Math.ceil((info.resetMs ?? 0) / 1000);
        const at = new Date(Date.now() + (info.resetMs ?? 0)).toISOString().replace(/\.\d+Z$/, 'Z');
        const docker = /(^|\.)docker\.io$/.test(info.host);
        super(`${info.host} refused ${what} with HTTP 429 Too Many Requests (${describeRateLimit(info)}); ` +
            `the limit resets in ${resetS} s (at ${at}), later than kedge may wait (${Math.round(budgetMs / 1000)} s). ` +
            (docker
                ? 'Log in to Docker Hub to raise the limit (100 pulls an hour per user instead of 10 per address): run docker/login-action before this step, or give username and password (a token), or use a mirror.'
                : 'Authenticate to the registry (username/password, registry-auth or docker/login-action), use a mirror, or run again after the reset.'));
        this.info = info;
        this.name = 'RateLimitError';
    }
}
/**
 * For a 429 whose reset (Retry-After / ratelimit-reset) comes after the retry budget
 * (counted from `firstFailure`): the error to fail with at once. Otherwise undefined.
 */
function rateLimitStop(err, what, budgetMs, firstFailure) {
    if (err?.status !== 429 || err.rateLimit?.resetMs === undefined)
        return undefined;
    if (Date.now() - firstFailure + err.rateLimit.resetMs <= budgetMs)
        return undefined;
    return new RateLimitError(err.rateLimit, what, budgetMs);
}
//# sourceMappingURL=ratelimit.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/client.js
/**
 * A registry client for the distribution HTTP API v2: manifests and blobs, anonymous or
 * with credentials, the Bearer-token challenge flow, mirrors tried before the origin,
 * plain HTTP only for registries listed as insecure, and redirects followed by hand so
 * that Authorization is dropped when a redirect leaves the host (blob CDNs).
 */








const MANIFEST_TYPES = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
};
const ACCEPT = Object.values(MANIFEST_TYPES).join(', ');
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** An HTTP error answer; `retryable` tells the retry loops what to do. */
class HttpError extends Error {
    url;
    status;
    retryAfterMs;
    rateLimit;
    constructor(url, status, message, 
    /** From Retry-After, when the server sent one. */
    retryAfterMs, 
    /** The answer's rate-limit headers, when it sent any. */
    rateLimit) {
        super(message);
        this.url = url;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
        this.rateLimit = rateLimit;
        this.name = 'HttpError';
    }
    get retryable() {
        return retryableStatus(this.status);
    }
}
/**
 * A URL without its userinfo (`https://user:pass@host/x` -> `https://host/x`), for anything
 * recorded or logged. Text that does not parse as a URL has any `//userinfo@` cut out.
 */
function redactUrl(url) {
    try {
        const parsed = new URL(url);
        if (!parsed.username && !parsed.password)
            return url;
        parsed.username = '';
        parsed.password = '';
        return parsed.href.replace(/\/$/, url.endsWith('/') ? '/' : '');
    }
    catch {
        return url.replace(/\/\/[^/@\s]*@/g, '//');
    }
}
/** Splits a URL's userinfo off: the URL without it, and the credential it held. */
function splitUserinfo(url) {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password)
        return { url };
    const credential = {
        username: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password)
    };
    return { url: redactUrl(url), credential };
}
/**
 * Parses mirror settings: `docker.io=https://mirror.example` entries, newline- or
 * comma-separated. A mirror URL ending in /v2 is used as the API root as it is.
 */
function parseMirrors(input) {
    const mirrors = new Map();
    const items = (Array.isArray(input) ? input : (input ?? '').split(/[\n,]/))
        .map(s => s.trim())
        .filter(s => s !== '' && !s.startsWith('#'));
    for (const item of items) {
        const eq = item.indexOf('=');
        const host = eq > 0 ? item.slice(0, eq).trim() : '';
        const url = eq > 0 ? item.slice(eq + 1).trim() : '';
        let parsed;
        try {
            parsed = new URL(url);
        }
        catch {
            parsed = undefined;
        }
        if (!host || !parsed || !/^https?:$/.test(parsed.protocol)) {
            throw new Error(`mirror "${redactUrl(item)}" is not registry=URL, e.g. docker.io=https://mirror.example`);
        }
        const key = host === 'index.docker.io' ? DOCKER_HUB : host;
        mirrors.set(key, [...(mirrors.get(key) ?? []), url.replace(/\/+$/, '')]);
    }
    return mirrors;
}
function sha256Digest(data) {
    return `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(data).digest('hex')}`;
}
class RegistryClient {
    credentials;
    mirrors;
    insecure;
    logger;
    retry;
    idleTimeoutMs;
    fallbackToOrigin;
    tokens = new Map();
    limits = new Map();
    constructor(options = {}) {
        this.credentials = options.credentials ?? new CredentialStore();
        this.mirrors = this.takeMirrorCredentials(options.mirrors ?? new Map());
        this.insecure = new Set([...(options.insecure ?? [])].map(h => h.trim()).filter(Boolean));
        this.logger = options.logger ?? silentLogger;
        this.retry = { ...defaultRetry, ...options.retry };
        this.idleTimeoutMs = options.idleTimeoutMs ?? 60000;
        this.fallbackToOrigin = options.fallbackToOrigin ?? true;
    }
    /**
     * Mirror URLs with userinfo (`https://user:pass@mirror`): the credential goes to the
     * store for the mirror's host (unless one is set) and the URL is kept without it, so it
     * is never logged or recorded. Callers mask the secrets (`credentials.secrets()`).
     */
    takeMirrorCredentials(mirrors) {
        const clean = new Map();
        for (const [registry, urls] of mirrors) {
            clean.set(registry, urls.map(raw => {
                const { url, credential } = splitUserinfo(raw);
                const host = new URL(url).host;
                if (credential && !this.credentials.get(host))
                    this.credentials.set(host, credential);
                return url;
            }));
        }
        return clean;
    }
    isInsecure(host) {
        return this.insecure.has(host);
    }
    /** Mirrors first, then the origin. */
    endpoints(registry) {
        const list = [];
        for (const base of this.mirrors.get(registry) ?? []) {
            const url = new URL(base);
            if (url.protocol === 'http:' && !this.isInsecure(url.host)) {
                throw new Error(`mirror ${base} for ${registry} is plain HTTP; list ${url.host} in insecure-registries to allow it`);
            }
            list.push({ registry, api: base.endsWith('/v2') ? base : `${base}/v2`, mirror: true });
        }
        if (list.length > 0 && !this.fallbackToOrigin)
            return list;
        const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
        const scheme = this.isInsecure(registry) ? 'http' : 'https';
        list.push({ registry, api: `${scheme}://${host}/v2`, mirror: false });
        return list;
    }
    /** Sends a request, following redirects by hand: Authorization stays with its origin. */
    async send(url, headers, method = 'GET') {
        let current = url;
        let sendHeaders = { ...headers };
        const origin = new URL(url).origin;
        for (let hop = 0;; hop++) {
            const res = await request(current, {
                method,
                headers: sendHeaders,
                idleTimeoutMs: this.idleTimeoutMs
            });
            const location = header(res, 'location');
            if (res.status < 300 || res.status >= 400 || !location)
                return res;
            discard(res);
            if (hop >= MAX_REDIRECTS)
                throw new HttpError(current, res.status, `too many redirects from ${url}`);
            const next = new URL(location, current);
            if (next.protocol === 'http:' &&
                new URL(current).protocol === 'https:' &&
                !this.isInsecure(next.host)) {
                throw new HttpError(current, res.status, `refusing a redirect from HTTPS to plain HTTP ${next.href}`);
            }
            if (next.origin !== origin) {
                sendHeaders = Object.fromEntries(Object.entries(sendHeaders).filter(([name]) => name.toLowerCase() !== 'authorization'));
            }
            current = next.href;
        }
    }
    tokenKey(endpoint, repository) {
        return `${endpoint.api}|${repository}`;
    }
    credentialFor(endpoint) {
        return this.credentials.get(endpoint.mirror ? new URL(endpoint.api).host : endpoint.registry);
    }
    /** The last rate-limit headers each host sent (Docker Hub's ratelimit-remaining). */
    rateLimits() {
        return [...this.limits.values()];
    }
    noteRateLimit(res) {
        const info = readRateLimit(new URL(res.url).host, res.headers);
        if (info && (info.limit !== undefined || info.remaining !== undefined)) {
            this.limits.set(info.host, info);
        }
    }
    /** Sends a request with whatever auth is known, answering one 401 challenge. */
    async request(endpoint, repository, path, headers = {}, method = 'GET') {
        const url = `${endpoint.api}/${repository}/${path}`;
        const key = this.tokenKey(endpoint, repository);
        const withAuth = () => {
            const token = this.tokens.get(key);
            return token ? { ...headers, authorization: token } : headers;
        };
        const first = await this.send(url, withAuth(), method);
        this.noteRateLimit(first);
        if (first.status !== 401)
            return first;
        discard(first);
        const challengeHeader = header(first, 'www-authenticate');
        const challenge = parseChallenge(challengeHeader ?? null);
        const credential = this.credentialFor(endpoint);
        if (challenge?.scheme === 'bearer' && challenge.params.realm) {
            this.tokens.set(key, `Bearer ${await this.fetchToken(endpoint, repository, challenge.params)}`);
        }
        else if (challenge?.scheme === 'basic' && credential) {
            this.tokens.set(key, basicAuth(credential));
        }
        else {
            throw new HttpError(url, 401, `${endpoint.registry} asks for credentials for ${repository} (${challengeHeader ?? 'no challenge'}); give username/password or registry-auth`);
        }
        const second = await this.send(url, withAuth(), method);
        this.noteRateLimit(second);
        if (second.status === 401 || second.status === 403) {
            discard(second);
            const hint = credential
                ? 'check the credentials'
                : 'the repository may be private: give username/password or registry-auth';
            throw new HttpError(url, second.status, `${endpoint.registry} denied access to ${repository} (HTTP ${second.status}); ${hint}`);
        }
        return second;
    }
    async fetchToken(endpoint, repository, params) {
        const realm = new URL(params.realm ?? '');
        const endpointPlain = endpoint.api.startsWith('http:');
        if (realm.protocol === 'http:' && !endpointPlain && !this.isInsecure(realm.host)) {
            throw new Error(`token realm ${realm.href} of ${endpoint.registry} is plain HTTP; list ${realm.host} in insecure-registries to allow it`);
        }
        if (params.service)
            realm.searchParams.set('service', params.service);
        realm.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
        const credential = this.credentialFor(endpoint);
        const headers = credential
            ? { authorization: basicAuth(credential) }
            : {};
        for (let attempt = 1;; attempt++) {
            try {
                const res = await this.send(realm.href, headers);
                const body = await readBody(res, 1024 * 1024);
                if (res.status !== 200) {
                    const text = body.toString('utf8').slice(0, 200);
                    throw new HttpError(realm.href, res.status, `token request to ${realm.origin}${realm.pathname} failed: HTTP ${res.status} ${text}`);
                }
                let parsed;
                try {
                    parsed = JSON.parse(body.toString('utf8'));
                }
                catch {
                    throw new Error(`token response from ${realm.origin}${realm.pathname} is not JSON`);
                }
                const token = parsed.token ?? parsed.access_token;
                if (!token)
                    throw new Error(`token response from ${realm.origin}${realm.pathname} has no token`);
                return token;
            }
            catch (err) {
                if (!this.shouldRetry(err) || attempt >= this.retry.attempts)
                    throw err;
                await sleep(backoffDelay(attempt, this.retry));
            }
        }
    }
    /** Network failures and retryable statuses; not auth, 404, a refused TLS certificate or a proxy refusing for good. */
    shouldRetry(err) {
        if (err instanceof HttpError)
            return err.retryable;
        return isError(err) && !isPermanentError(err);
    }
    /**
     * Fetches a manifest (by tag or digest), trying mirrors first, retrying transient
     * failures. The body's digest is checked against a requested digest, and against the
     * registry's Docker-Content-Digest header when it sends one.
     */
    async getManifest(ref, reference) {
        const failures = [];
        for (const endpoint of this.endpoints(ref.registry)) {
            try {
                const got = await this.withRetries(() => this.getManifestOnce(endpoint, ref, reference), `manifest ${reference} of ${ref.repository}`);
                if (failures.length > 0) {
                    this.logger.info(`${ref.repository}:${reference}: served by ${endpoint.api}`);
                }
                return got;
            }
            catch (err) {
                const description = describeError(err);
                const message = description + tlsHint(description, new URL(endpoint.api).host);
                if (err instanceof RateLimitError)
                    throw err;
                failures.push(`${endpoint.api}: ${message}`);
                if (endpoint.mirror) {
                    this.logger.warn(`mirror ${endpoint.api} failed for ${ref.repository}:${reference} (${message}); trying the next source`);
                }
            }
        }
        throw new Error(`cannot fetch manifest ${reference} of ${ref.registry}/${ref.repository}: ${failures.join('; ')}`);
    }
    /**
     * Asks for a manifest's digest with HEAD (which Docker Hub does not count as a pull):
     * the first source that answers 200 gives its Docker-Content-Digest, size and type.
     * Undefined when none does; the caller then GETs, which reports errors properly.
     */
    async headManifest(ref, reference) {
        for (const endpoint of this.endpoints(ref.registry)) {
            try {
                const res = await this.request(endpoint, ref.repository, `manifests/${reference}`, { accept: ACCEPT }, 'HEAD');
                discard(res);
                if (res.status !== 200)
                    continue;
                const digest = header(res, 'docker-content-digest');
                const size = Number(header(res, 'content-length'));
                if (!digest?.startsWith('sha256:') || !Number.isSafeInteger(size))
                    return undefined;
                const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
                return { endpoint, url: res.url, digest, size, mediaType };
            }
            catch (err) {
                this.logger.debug(`HEAD ${reference} of ${ref.repository} at ${endpoint.api}: ${describeError(err)}`);
            }
        }
        return undefined;
    }
    async withRetries(fn, what) {
        let firstFailure = 0;
        for (let attempt = 1;; attempt++) {
            try {
                return await fn();
            }
            catch (err) {
                firstFailure ||= Date.now();
                if (!this.shouldRetry(err))
                    throw err;
                const tooLong = rateLimitStop(err instanceof HttpError ? err : undefined, what, this.retry.budgetMs, firstFailure);
                if (tooLong)
                    throw tooLong;
                const after = err instanceof HttpError ? err.retryAfterMs : undefined;
                const delay = backoffDelay(attempt, this.retry, after);
                if (retryExhausted(this.retry, attempt, Date.now() + delay - firstFailure))
                    throw err;
                await sleep(delay);
            }
        }
    }
    async getManifestOnce(endpoint, ref, reference) {
        const res = await this.request(endpoint, ref.repository, `manifests/${reference}`, {
            accept: ACCEPT
        });
        const url = res.url;
        if (res.status !== 200) {
            const text = (await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0)))
                .toString('utf8')
                .slice(0, 300)
                .trim();
            const why = res.status === 404 ? 'not found' : `HTTP ${res.status}`;
            throw new HttpError(url, res.status, `${why}${text ? `: ${text}` : ''}`, retryAfterMs(header(res, 'retry-after') ?? null), readRateLimit(new URL(url).host, res.headers));
        }
        const body = await readBody(res, MAX_MANIFEST_BYTES);
        const digest = sha256Digest(body);
        if (reference.startsWith('sha256:') && digest !== reference) {
            throw new HttpError(url, 502, `manifest digest mismatch: asked for ${reference}, got ${digest}`);
        }
        const announced = header(res, 'docker-content-digest');
        const checkable = announced?.startsWith('sha256:') === true;
        if (checkable && announced !== digest) {
            throw new HttpError(url, 502, `manifest digest mismatch: registry says ${announced}, body is ${digest}`);
        }
        const type = (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
        let mediaType = type;
        try {
            const parsed = JSON.parse(body.toString('utf8'));
            if (parsed.mediaType)
                mediaType = parsed.mediaType;
        }
        catch {
            throw new Error(`manifest at ${url} is not JSON`);
        }
        const verifiedBy = reference.startsWith('sha256:')
            ? 'digest'
            : checkable
                ? 'docker-content-digest'
                : 'none';
        return { endpoint, url, digest, mediaType, body, verifiedBy };
    }
}
//# sourceMappingURL=client.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/limit.js
/**
 * Runs at most `concurrency` of the given tasks at once. A finishing task hands its slot
 * straight to the next waiting one, so a newcomer can never slip in between.
 */
function limiter(concurrency) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new Error(`concurrency must be a whole number >= 1, got ${concurrency}`);
    }
    let active = 0;
    const waiting = [];
    const release = () => {
        const next = waiting.shift();
        if (next)
            next();
        else
            active -= 1;
    };
    return async (task) => {
        if (active < concurrency)
            active += 1;
        else
            await new Promise(resolve => waiting.push(resolve));
        try {
            return await task();
        }
        finally {
            release();
        }
    };
}
//# sourceMappingURL=limit.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/staging.js
/**
 * Reused transfer buffers. A blob download writes a large read as it is, and copies a
 * small one (a view of the connection's read buffer, valid only until the next piece is
 * asked for: wire.ts; a TLS record is at most 16 KiB) into one of these, written when full
 * (blobs.ts, StagedWriter): nothing is allocated per read, and a write call carries a few
 * small reads. A plain-HTTP download never touches its stage's pages. One per transfer in
 * flight, reused across transfers: the resident set does not grow with the blob size or
 * the number of blobs (npm run bench --scale measures it). 128 KiB, measured when every
 * read was staged: 64 KiB meant twice the write calls, 256 KiB 1 MiB more resident (8
 * transfers at once) for no time gained beyond the noise (node 24, 3 GiB, 3 runs each).
 */
const STAGE_SIZE = 128 * 1024;
class StagingPool {
    size;
    free = [];
    constructor(size = STAGE_SIZE) {
        this.size = size;
    }
    acquire() {
        return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    }
    release(stage) {
        this.free.push(stage);
    }
}
//# sourceMappingURL=staging.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/blobs.js
/**
 * Blob delivery: each blob goes, verified, into every place that wants it (its slot in
 * one or more archives being written) from the cheapest source:
 *  - bytes already in hand (manifests, configs);
 *  - the content-addressed cache (blobs/sha256/<hex>), re-hashed as it is copied, so a
 *    damaged cache entry is caught, dropped and fetched again;
 *  - the registry: streamed, hashed and written in one pass, teed into the cache.
 * A digest or size mismatch is retried; network errors, 429 and 5xx are retried with
 * backoff and jitter, resuming with Range where the server answers 206. The retry budget
 * is time (since the first failure) and tries in a row that brought no new bytes: a try
 * that made progress does not use it up. A cache entry appears only complete and verified
 * (temporary name, then rename); cache.ts keeps reads and writes inside the cache.
 */











/** The connection broke during a transfer; what arrived is kept for a resume. */
class TransferError extends Error {
    url;
    constructor(message, url, cause) {
        super(message, { cause });
        this.url = url;
        this.name = 'TransferError';
    }
}
/** The bytes from `url` were not the blob asked for (wrong size or digest). */
class BlobMismatchError extends Error {
    url;
    constructor(message, url) {
        super(message);
        this.url = url;
        this.name = 'BlobMismatchError';
    }
}
const sha256 = (data) => `sha256:${(0,external_node_crypto_namespaceObject.createHash)('sha256').update(data).digest('hex')}`;
class BlobFetcher {
    cacheDir;
    retry;
    onBytes;
    stats = { bytesFetched: 0, requests: 0, reused: 0, fetched: 0 };
    cache;
    staging = new StagingPool();
    copies = limiter(WARM_COPIES);
    /** `cacheDir`: a persistent content-addressed cache, or undefined for none. */
    constructor(cacheDir, retry = defaultRetry, onBytes = () => undefined) {
        this.cacheDir = cacheDir;
        this.retry = retry;
        this.onBytes = onBytes;
        this.cache = cacheDir ? new BlobCache(cacheDir) : undefined;
    }
    /** Writes bytes in hand (verified) to every target, and to the cache. */
    async deliverBytes(desc, data, targets) {
        if (data.length !== desc.size || sha256(data) !== desc.digest) {
            throw new BlobMismatchError(`bytes in hand for ${desc.digest} do not match it`, 'memory');
        }
        await Promise.all(targets.map(t => t.handle.write(data, 0, data.length, t.offset)));
        await this.storeBytes(desc, data);
    }
    /** Puts bytes in hand (already verified) into the cache, unless there. */
    async storeBytes(desc, data) {
        if (!this.cache || (await this.cache.has(desc)))
            return;
        const part = await this.cache.scratch(desc.digest);
        try {
            await part.handle.write(data, 0, data.length, 0);
            await this.cache.commit(part, desc.digest);
        }
        catch (err) {
            await part.discard();
            throw err;
        }
    }
    /**
     * A small blob (a config) as bytes: from the cache when it is there and intact,
     * else fetched, verified and cached.
     */
    async fetchBytes(desc, source, what, limit = 16 * 1024 * 1024) {
        if (desc.size > limit)
            throw new Error(`${what}: ${desc.digest} is ${desc.size} bytes, over ${limit}`);
        const cached = await this.readCached(desc);
        if (cached) {
            this.stats.reused += 1;
            return cached;
        }
        const chunks = [];
        // Downloads write in order; a restart from byte 0 resets the sink.
        const collector = {
            write: data => {
                chunks.push(Buffer.from(data));
            },
            reset: () => {
                chunks.length = 0;
            }
        };
        await this.download(desc, source, what, [collector]);
        const data = Buffer.concat(chunks);
        await this.storeBytes(desc, data);
        return data;
    }
    /** A cached blob's bytes (at most its size), verified; undefined (and dropped) if damaged. */
    async readCached(desc) {
        const handle = await this.cache?.open(desc);
        if (!handle || !this.cache)
            return undefined;
        const data = Buffer.alloc(desc.size);
        try {
            await readChunks(handle, desc.size, (chunk, position) => {
                chunk.copy(data, position);
            });
        }
        catch {
            await handle.close();
            await this.cache.drop(desc.digest);
            return undefined;
        }
        await handle.close();
        if (sha256(data) === desc.digest)
            return data;
        await this.cache.drop(desc.digest);
        return undefined;
    }
    /** Puts a blob into every target: from the cache if intact, else from `source`. */
    async deliver(desc, targets, source, what) {
        if (await this.copyFromCache(desc, targets)) {
            this.stats.reused += 1;
            return;
        }
        const part = this.cache ? await this.cache.scratch(desc.digest) : undefined;
        const sinks = targets.map(fileSink);
        if (part)
            sinks.push(fileSink({ handle: part.handle, offset: 0 }));
        try {
            await this.download(desc, source, what, sinks);
            if (part)
                await this.cache?.commit(part, desc.digest);
        }
        catch (err) {
            if (part)
                await part.discard();
            throw err;
        }
    }
    /**
     * Copies a cached blob into the targets while re-hashing it; false if absent or damaged.
     * A pipeline per blob (pipeChunks): the next chunks are read (threadpool) while this one
     * is hashed (main thread) and the last one written, in a few reused buffers; only
     * WARM_COPIES blobs copy at once, so the main thread hashes without the threadpool's
     * reads and writes of many blobs crowding it out (2 cores).
     */
    async copyFromCache(desc, targets) {
        const handle = await this.cache?.open(desc);
        if (!handle || !this.cache)
            return false;
        const failed = {};
        let intact = false;
        try {
            const hash = await this.copies(() => pipeToTargets(handle, desc.size, targets, failed));
            intact = hash === desc.digest;
        }
        catch {
            // A failed write to the archive is the run's problem; a failed read, the entry's.
            if ('write' in failed)
                throw failed.write;
        }
        finally {
            await handle.close();
        }
        // Damaged or truncated: drop it; the caller fetches it again.
        if (!intact)
            await this.cache.drop(desc.digest);
        return intact;
    }
    async download(desc, source, what, sinks) {
        const state = { hash: (0,external_node_crypto_namespaceObject.createHash)('sha256'), received: 0 };
        let lastError;
        let lastUrl = '';
        let tries = 0;
        let idle = 0;
        let firstFailure = 0;
        let why = '';
        for (;;) {
            const before = state.received;
            tries += 1;
            try {
                lastUrl = await this.tryOnce(desc, source, sinks, state);
                this.stats.fetched += 1;
                return;
            }
            catch (err) {
                lastError = err;
                if (err instanceof HttpError ||
                    err instanceof BlobMismatchError ||
                    err instanceof TransferError) {
                    lastUrl = err.url;
                }
                if (err instanceof BlobMismatchError)
                    restart(state, sinks);
                // A try that brought new bytes (kept for a resume) does not use up the budget.
                idle = state.received > before ? 0 : idle + 1;
                firstFailure ||= Date.now();
                const transient = err instanceof BlobMismatchError ||
                    err instanceof TransferError ||
                    (err instanceof HttpError
                        ? err.retryable
                        : isError(err) && !isDiskError(err) && !isPermanentError(err));
                if (!transient)
                    break;
                const tooLong = rateLimitStop(err instanceof HttpError ? err : undefined, `${what}: blob ${desc.digest}`, this.retry.budgetMs, firstFailure);
                if (tooLong)
                    throw tooLong;
                const delay = backoffDelay(Math.max(1, idle), this.retry, err instanceof HttpError ? err.retryAfterMs : undefined);
                why = retryExhausted(this.retry, idle, Date.now() + delay - firstFailure);
                if (why)
                    break;
                await sleep(delay);
            }
        }
        const cause = lastError instanceof TransferError ||
            lastError instanceof HttpError ||
            lastError instanceof BlobMismatchError
            ? lastError.message
            : describeError(lastError);
        throw new Error(`${what}: blob ${desc.digest} (${desc.size} bytes) from ${lastUrl || 'its registry'} failed${why ? ` (${why}; ${tries} tries)` : ''}: ${cause}`, {
            cause: lastError
        });
    }
    /** One try, resuming from `state.received`. Returns the URL the bytes came from. */
    async tryOnce(desc, source, sinks, state) {
        this.stats.requests += 1;
        const res = await source(state.received);
        const url = res.url;
        if (res.status !== 200 && res.status !== 206) {
            discard(res);
            throw new HttpError(url, res.status, `HTTP ${res.status}`, retryAfterMs(header(res, 'retry-after') ?? null), readRateLimit(new URL(url).host, res.headers));
        }
        if (res.status === 206) {
            const start = Number(/^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1] ?? -1);
            if (start !== state.received) {
                discard(res);
                const expected = state.received;
                restart(state, sinks);
                throw new HttpError(url, 502, `server resumed at byte ${start}, expected ${expected}`);
            }
        }
        else if (state.received > 0) {
            // The server ignored Range: start over.
            restart(state, sinks);
        }
        // Each view of the connection's read buffer (wire.ts: valid until the next is asked for)
        // is hashed and handed to the StagedWriter, which writes it before the next is read.
        const stage = this.staging.acquire();
        const writer = new StagedWriter(stage, sinks, state);
        let accepted = state.received;
        try {
            for await (const buf of res.body) {
                if (accepted + buf.length > desc.size) {
                    res.body.destroy();
                    throw new BlobMismatchError(`more than the expected ${desc.size} bytes`, url);
                }
                accepted += buf.length;
                state.hash.update(buf);
                this.stats.bytesFetched += buf.length;
                this.onBytes(buf.length);
                writer.push(buf);
                youngGarbage(buf.length);
            }
            writer.flush();
        }
        catch (err) {
            if (err instanceof BlobMismatchError || isDiskError(err) || writer.failed)
                throw err;
            // The connection broke: what arrived is good, so write it and resume after it.
            writer.flush();
            throw new TransferError(`connection broke after ${state.received} of ${desc.size} bytes (${describeError(err)})`, url, err);
        }
        finally {
            this.staging.release(stage);
        }
        if (state.received !== desc.size) {
            throw new TransferError(`body ended at ${state.received} of ${desc.size} bytes`, url, undefined);
        }
        const actual = `sha256:${state.hash.digest('hex')}`;
        if (actual !== desc.digest)
            throw new BlobMismatchError(`content hashes to ${actual}`, url);
        return url;
    }
    /** Removes this run's scratch files; the cache stays. */
    async cleanup() {
        await this.cache?.cleanup();
    }
}
/** Reads at least this large are written as they are (StagedWriter.push). */
const DIRECT_WRITE = 32 * 1024;
/**
 * Writes received chunks to every sink at once, on the main thread: a large one as it is,
 * small ones gathered first in one reused stage (staging.ts). A write into the page cache takes less time than handing it
 * to the threadpool and back: with threadpool writes a 3 GiB fetch made ~170,000 futex
 * calls, and writing here took it from 7.2-8.4 s to 6.2-6.8 s, with 1.5 s less kernel and
 * 1 s less user time (node 24, 2 cores shared with the registry). `state.received` grows
 * only when a write is done, so a resume starts after bytes that are really on disk.
 */
class StagedWriter {
    stage;
    sinks;
    state;
    /** True once a write to a sink failed. */
    failed = false;
    filled = 0;
    constructor(stage, sinks, state) {
        this.stage = stage;
        this.sinks = sinks;
        this.state = state;
    }
    /**
     * Takes `chunk`: a large one with nothing staged is written as it is (no copy, and the
     * stage's pages are never touched: a plain-HTTP read is 64 KiB); smaller ones (a TLS
     * record is at most 16 KiB) are copied in, and the stage written each time it is full.
     */
    push(chunk) {
        if (this.filled === 0 && chunk.length >= DIRECT_WRITE) {
            this.write(chunk);
            return;
        }
        let from = 0;
        while (from < chunk.length) {
            const copied = chunk.copy(this.stage, this.filled, from);
            this.filled += copied;
            from += copied;
            if (this.filled === this.stage.length)
                this.flush();
        }
    }
    /** Writes what is staged to every sink; throws a write's failure. */
    flush() {
        if (this.filled === 0)
            return;
        this.write(this.stage.subarray(0, this.filled));
        this.filled = 0;
    }
    write(data) {
        try {
            for (const sink of this.sinks)
                sink.write(data, this.state.received);
        }
        catch (err) {
            this.failed = true;
            throw err;
        }
        this.state.received += data.length;
    }
}
/**
 * Cache copies: chunk size, buffers per blob, blobs copied at once (see copyFromCache).
 * A chunk is read (threadpool), hashed (main thread) and written (threadpool) while it is
 * still in the core's L2 cache (512 KiB per core on the EPYC this was measured on), so
 * the hash and the write's copy read cache, not memory. A warm 1 GiB run (npm run bench
 * --scale set, node 24, 2 cores), medians of 7 interleaved with the warm limit's 1.10 s:
 * 1 MiB chunks took 1.72 s (1.5-1.9 s of kernel time); 256 KiB chunks, two per blob and
 * two blobs at once, 1.12 s (0.6-0.8 s of kernel time) and 3 MiB less resident.
 * Deeper pipelines (4-8 per blob), 3 blobs at once, or 64-192 KiB chunks measured slower.
 */
const COPY_CHUNK = 256 * 1024;
const COPY_DEPTH = 2;
const WARM_COPIES = 2;
/** Copy buffers, reused from blob to blob (and run to run): none is allocated per chunk. */
const spareBuffers = [];
/**
 * Copies `size` bytes of a cache entry into every target through a pipeline, hashing them;
 * returns the digest of what was read. A write failure is recorded in `failed.write`.
 */
async function pipeToTargets(handle, size, targets, failed) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    const count = Math.max(1, Math.min(COPY_DEPTH, Math.ceil(size / COPY_CHUNK)));
    const buffers = Array.from({ length: count }, () => spareBuffers.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK));
    try {
        await pipeChunks(handle, size, buffers, async (chunk, position) => {
            hash.update(chunk);
            try {
                await Promise.all(targets.map(t => t.handle.write(chunk, 0, chunk.length, t.offset + position)));
            }
            catch (err) {
                failed.write ??= err;
                throw err;
            }
        });
    }
    finally {
        // pipeChunks returns with nothing in flight: the buffers are free again.
        spareBuffers.push(...buffers);
    }
    return `sha256:${hash.digest('hex')}`;
}
/** Back to byte 0: a fresh hash, and sinks that forget what they were given. */
function restart(state, sinks) {
    state.hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    state.received = 0;
    for (const sink of sinks)
        sink.reset?.();
}
function fileSink(target) {
    return {
        write: (data, position) => {
            for (let done = 0; done < data.length;) {
                done += (0,external_node_fs_namespaceObject.writeSync)(target.handle.fd, data, done, data.length - done, target.offset + position + done);
            }
        }
    };
}
/** A local file-system failure (disk full, permissions): not worth retrying. */
function isDiskError(err) {
    const code = err?.code;
    return (typeof code === 'string' &&
        ['ENOSPC', 'EDQUOT', 'EACCES', 'EROFS', 'EIO', 'EBADF'].includes(code));
}
//# sourceMappingURL=blobs.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/output.js
/**
 * Output paths are checked before the first request: a path under /proc or /sys, or one
 * that exists and is not what kedge writes there (a FIFO, a device, a directory where a
 * file goes), fails at once with a clear error instead of hanging or half-writing.
 */


/** statfs magic numbers of the kernel's pseudo file systems. */
const PSEUDO_FS = {
    0x9fa0: '/proc',
    0x62656572: '/sys',
    0x27e0eb: 'a cgroup file system',
    0x63677270: 'a cgroup file system',
    0x64626720: 'debugfs'
};
function kindOf(info) {
    if (info.isFile())
        return 'a regular file';
    if (info.isDirectory())
        return 'a directory';
    if (info.isSymbolicLink())
        return 'a symbolic link';
    if (info.isFIFO())
        return 'a FIFO';
    if (info.isSocket())
        return 'a socket';
    return 'a device';
}
/** The pseudo file system `path` (or its nearest existing parent) is on, if any. */
async function pseudoFileSystem(path) {
    for (const top of ['/proc', '/sys']) {
        if (path === top || path.startsWith(`${top}/`))
            return top;
    }
    let at = path;
    for (;;) {
        const info = await (0,promises_namespaceObject.statfs)(at).catch(() => undefined);
        if (info)
            return PSEUDO_FS[info.type];
        const up = (0,external_node_path_namespaceObject.dirname)(at);
        if (up === at)
            return undefined;
        at = up;
    }
}
/**
 * Checks where an output goes. `label` names the input in errors (output, images-json);
 * `kind` is what kedge writes there.
 */
async function checkOutputPath(label, given, kind) {
    const path = (0,external_node_path_namespaceObject.resolve)(given);
    const fail = (why) => {
        throw new Error(`${label} ${given}: it is ${why}; give a path for a new ${kind} on a normal file system`);
    };
    const pseudo = await pseudoFileSystem(path);
    if (pseudo)
        fail(pseudo.startsWith('/') ? `under ${pseudo}` : `on ${pseudo}`);
    const info = await (0,promises_namespaceObject.lstat)(path).catch(() => undefined);
    if (!info)
        return;
    if (kind === 'file' && !info.isFile())
        fail(`${kindOf(info)}, not a regular file`);
    if (kind === 'directory' && !info.isDirectory())
        fail(`${kindOf(info)}, not a directory`);
}
//# sourceMappingURL=output.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/platform.js
/**
 * Platforms (os/architecture[/variant]) and choosing one manifest from an index.
 * Matching follows containerd's normalization: arm64 means arm64/v8, arm means arm/v7,
 * amd64 matches amd64/v1; x86_64 and aarch64 are aliases. Attestation entries
 * (unknown/unknown) are never chosen.
 */
const ARCH_ALIASES = {
    x86_64: 'amd64',
    'x86-64': 'amd64',
    aarch64: 'arm64',
    armhf: 'arm',
    armel: 'arm'
};
function parsePlatform(input) {
    const parts = input.trim().toLowerCase().split('/');
    const [os, arch, variant] = parts;
    if (parts.length < 2 || parts.length > 3 || !os || !arch || parts.some(p => p === '')) {
        throw new Error(`invalid platform "${input}": expected os/architecture[/variant], e.g. linux/arm64 or linux/arm/v7`);
    }
    return normalizePlatform({ os, architecture: arch, ...(variant ? { variant } : {}) });
}
/** Fills in the default variant (arm64 -> v8, arm -> v7) and resolves aliases. */
function normalizePlatform(p) {
    const architecture = ARCH_ALIASES[p.architecture] ?? p.architecture;
    let variant = p.variant;
    if (architecture === 'arm64' && (!variant || variant === '8'))
        variant = 'v8';
    if (architecture === 'arm' && !variant)
        variant = 'v7';
    if (architecture === 'arm' && /^[5-8]$/.test(variant ?? ''))
        variant = `v${variant ?? ''}`;
    if (architecture === 'amd64' && variant === 'v1')
        variant = undefined;
    return { os: p.os, architecture, ...(variant ? { variant } : {}) };
}
function formatPlatform(p) {
    return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
/** True when an image built for `have` runs as `want`, after normalization. */
function platformMatches(want, have) {
    const w = normalizePlatform(want);
    const h = normalizePlatform(have);
    if (w.os !== h.os || w.architecture !== h.architecture)
        return false;
    // amd64 without a variant accepts every amd64 level; otherwise variants must agree.
    if (w.architecture === 'amd64' && !w.variant)
        return true;
    return (w.variant ?? '') === (h.variant ?? '');
}
function isAttestation(entry) {
    return (entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
        entry.platform?.os === 'unknown' ||
        entry.platform?.architecture === 'unknown');
}
/** The runnable platforms an index offers (attestations left out), for messages. */
function offeredPlatforms(entries) {
    return entries
        .filter(e => e.platform && !isAttestation(e))
        .map(e => formatPlatform(e.platform));
}
/** Chooses the entry for `want`, or undefined. Attestations are never chosen. */
function selectManifest(entries, want) {
    return entries.find(e => e.platform && !isAttestation(e) && platformMatches(want, e.platform));
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/resolve.js



const INDEX_TYPES = new Set([MANIFEST_TYPES.ociIndex, MANIFEST_TYPES.dockerList]);
const resolve_DIGEST = /^sha256:[a-f0-9]{64}$/;
const resolve_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
function parseManifest(body, where) {
    let doc;
    try {
        doc = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new Error(`${where}: the manifest is not JSON`);
    }
    if (doc.schemaVersion === 1) {
        throw new Error(`${where}: schema 1 manifests are deprecated and not supported; push the image again with a current client`);
    }
    return doc;
}
function checkDescriptor(d, what, where) {
    if (!d ||
        typeof d.digest !== 'string' ||
        !resolve_DIGEST.test(d.digest) ||
        !Number.isSafeInteger(d.size) ||
        d.size < 0) {
        throw new Error(`${where}: the manifest's ${what} descriptor is missing or malformed (kedge supports sha256 digests)`);
    }
    return d;
}
function mediaTypeOf(body, fallback) {
    try {
        return JSON.parse(body.toString('utf8')).mediaType ?? fallback;
    }
    catch {
        return fallback;
    }
}
/** Fetches top manifests once per image for a whole run, revalidating cached ones by HEAD. */
class ManifestResolver {
    ctx;
    tops = new Map();
    constructor(ctx) {
        this.ctx = ctx;
    }
    /** The image's top manifest (an index or its only manifest), once per run. */
    top(ref) {
        const key = formatReference(ref);
        let got = this.tops.get(key);
        if (!got) {
            got = this.fetchTop(ref);
            this.tops.set(key, got);
        }
        return got;
    }
    async fetchTop(ref) {
        const { client, store } = this.ctx;
        const reference = manifestReference(ref);
        if (store.cacheDir) {
            const head = await client.headManifest(ref, reference);
            if (head &&
                head.size <= resolve_MAX_MANIFEST_BYTES &&
                (ref.digest === undefined || head.digest === ref.digest)) {
                const body = await store.readCached({ digest: head.digest, size: head.size });
                if (body) {
                    return {
                        endpoint: head.endpoint,
                        url: head.url,
                        digest: head.digest,
                        mediaType: mediaTypeOf(body, head.mediaType),
                        body,
                        verifiedBy: ref.digest ? 'digest' : 'docker-content-digest'
                    };
                }
            }
        }
        const got = await client.getManifest(ref, reference);
        if (got.verifiedBy === 'none') {
            this.ctx.logger.warn(`${formatReference(ref)}: ${ref.registry} sent no Docker-Content-Digest for tag ${ref.tag ?? ''}, so its manifest cannot be checked; pin the image by digest to check it (images.json says verifiedBy: none)`);
        }
        await store.storeBytes({ digest: got.digest, size: got.body.length }, got.body);
        return got;
    }
    /** A platform manifest by the digest its index entry gives: from the cache, else fetched. */
    async byDigest(ref, entry) {
        const { client, store } = this.ctx;
        if (entry.size <= resolve_MAX_MANIFEST_BYTES) {
            const body = await store.readCached({ digest: entry.digest, size: entry.size });
            if (body) {
                const top = await this.top(ref);
                return {
                    endpoint: top.endpoint,
                    url: top.url,
                    digest: entry.digest,
                    mediaType: mediaTypeOf(body, entry.mediaType),
                    body,
                    verifiedBy: 'digest'
                };
            }
        }
        return client.getManifest(ref, entry.digest);
    }
    /** Resolves one image for one platform: manifests and config, checked. */
    async resolve(given, ref, want) {
        const where = `image "${given}"`;
        const top = await this.top(ref);
        let doc = parseManifest(top.body, where);
        let manifest = top;
        let indexDigest;
        let platform;
        if (INDEX_TYPES.has(top.mediaType) || Array.isArray(doc.manifests)) {
            indexDigest = top.digest;
            const entries = doc.manifests ?? [];
            const entry = selectManifest(entries, want);
            if (!entry) {
                const offered = offeredPlatforms(entries);
                throw new Error(`${where} has no ${formatPlatform(want)} variant; its index offers ${offered.length ? offered.join(', ') : 'no runnable platform'}`);
            }
            platform = normalizePlatform(entry.platform ?? want);
            checkDescriptor(entry, 'platform manifest', where);
            manifest = await this.byDigest(ref, entry);
            doc = parseManifest(manifest.body, where);
            if (INDEX_TYPES.has(manifest.mediaType) || Array.isArray(doc.manifests)) {
                throw new Error(`${where}: the index points at another index; nested indexes are not supported`);
            }
        }
        const config = checkDescriptor(doc.config, 'config', where);
        const layers = (doc.layers ?? []).map((l, i) => checkDescriptor(l, `layer ${i}`, where));
        const configBytes = await this.ctx.run(() => this.ctx.store.fetchBytes(config, this.ctx.source(ref, manifest.endpoint, config.digest), where));
        const have = configPlatform(configBytes, config.digest, where);
        if (!platformMatches(want, have)) {
            throw new Error(indexDigest
                ? `${where}: the index lists ${formatPlatform(want)} but its config says ${formatPlatform(have)}`
                : `${where} is a single-platform image for ${formatPlatform(have)}, not ${formatPlatform(want)}; use an image (or tag) published for ${formatPlatform(want)}`);
        }
        return {
            given,
            ref,
            platform: platform ?? have,
            endpoint: manifest.endpoint,
            ...(indexDigest ? { indexDigest } : {}),
            verifiedBy: top.verifiedBy,
            manifest: {
                mediaType: manifest.mediaType,
                digest: manifest.digest,
                size: manifest.body.length
            },
            manifestBytes: manifest.body,
            config,
            configBytes,
            layers
        };
    }
}
function configPlatform(bytes, digest, where) {
    let cfg;
    try {
        cfg = JSON.parse(bytes.toString('utf8'));
    }
    catch {
        throw new Error(`${where}: its config ${digest} is not JSON`);
    }
    return normalizePlatform({
        os: cfg.os ?? '',
        architecture: cfg.architecture ?? '',
        ...(cfg.variant ? { variant: cfg.variant } : {})
    });
}
//# sourceMappingURL=resolve.js.map
;// CONCATENATED MODULE: ./packages/oci/lib/fetch.js
/**
 * fetchImages: references in; per platform one deterministic archive (or one per image)
 * and an images.json report out. Every reference, platform and output path is checked
 * before any network call. Manifests and configs of every image and platform are resolved
 * first (resolve.ts: each image's index once for all platforms, revalidated by HEAD when
 * the cache holds it); then, per platform, the archive layout is planned and each unique
 * blob is fetched once, in parallel, straight into its place in the archive's temporary
 * file (and into the cache, when there is one). An archive is renamed into place only when
 * every blob is in and verified; when a later platform fails, the earlier ones' outputs of
 * this run are removed again.
 */














/** A platform as a file-name part: linux/arm/v7 -> linux-arm-v7. */
function platformSlug(platform) {
    return platform.trim().replace(/\//g, '-');
}
/**
 * Where one platform's output goes. One platform: `output` and `imagesJson` as given
 * (`<archive>.images.json` beside the archive by default, so two archives in one directory
 * never share a report). Several: the platform goes into the names:
 * `images/edge.tar` -> `images/edge-linux-arm64.tar` with `images/edge-linux-arm64.tar.images.json`;
 * with perImage, `images/` -> `images/linux-arm64/` holding the tars and images.json; a
 * given images-json `meta/images.json` -> `meta/images-linux-arm64.json`.
 */
function platformOutput(options, platform, several) {
    const output = (0,external_node_path_namespaceObject.resolve)(options.output);
    const slug = platformSlug(platform);
    const withSlug = (path, ext) => path.endsWith(ext) ? `${path.slice(0, -ext.length)}-${slug}${ext}` : `${path}-${slug}`;
    const out = !several ? output : options.perImage ? (0,external_node_path_namespaceObject.join)(output, slug) : withSlug(output, '.tar');
    const json = options.imagesJson
        ? several
            ? withSlug((0,external_node_path_namespaceObject.resolve)(options.imagesJson), '.json')
            : (0,external_node_path_namespaceObject.resolve)(options.imagesJson)
        : options.perImage
            ? (0,external_node_path_namespaceObject.join)(out, 'images.json')
            : reportPathFor(out);
    return { output: out, imagesJson: json };
}
/** Splits an image list: newlines or commas, `#` comments, blanks dropped, duplicates once. */
function parseImageList(text) {
    const seen = new Set();
    for (const line of text.split('\n')) {
        const content = line.replace(/#.*$/, '');
        for (const item of content.split(',')) {
            const ref = item.trim();
            if (ref)
                seen.add(ref);
        }
    }
    return [...seen];
}
/** The references, parsed; every bad one is reported together, before any request. */
function parseRefs(images) {
    if (images.length === 0)
        throw new Error('no images given');
    const errors = [];
    const refs = [];
    const byName = new Set();
    for (const given of images) {
        try {
            const ref = parseReference(given);
            const key = formatReference(ref);
            if (!byName.has(key)) {
                byName.add(key);
                refs.push({ given, ref });
            }
        }
        catch (err) {
            if (!(err instanceof ReferenceError))
                throw err;
            errors.push(err.message);
        }
    }
    if (errors.length > 0)
        throw new Error(errors.join('\n'));
    return refs;
}
/** The platforms asked for, parsed, each once, in order. */
function parsePlatforms(input) {
    const seen = new Set();
    const list = [];
    for (const given of input.split(',').map(p => p.trim())) {
        if (!given && input.trim())
            continue;
        const want = parsePlatform(given);
        const key = formatPlatform(want);
        if (!seen.has(key)) {
            seen.add(key);
            list.push({ given, want });
        }
    }
    return list;
}
/** Blob requests: the endpoint that served the manifest first, then the others. */
function blobSources(client, logger) {
    return (ref, preferred, digest) => {
        const endpoints = [
            preferred,
            ...client.endpoints(ref.registry).filter(e => e.api !== preferred.api)
        ];
        return async (offset) => {
            let lastError;
            for (const [i, endpoint] of endpoints.entries()) {
                const last = i === endpoints.length - 1;
                try {
                    const res = await client.request(endpoint, ref.repository, `blobs/${digest}`, offset > 0 ? { range: `bytes=${offset}-` } : {});
                    if (res.status === 200 || res.status === 206 || last)
                        return res;
                    discard(res);
                    lastError = new Error(`HTTP ${res.status}`);
                }
                catch (err) {
                    if (last)
                        throw err;
                    lastError = err;
                }
                logger.warn(`${endpoint.api} failed for blob ${digest} (${describeError(lastError)}); trying ${endpoints[i + 1]?.api ?? ''}`);
            }
            throw lastError;
        };
    };
}
async function fetchImages(options) {
    const logger = options.logger ?? silentLogger;
    // Everything the user gave is checked before the first request.
    const platforms = parsePlatforms(options.platform);
    const refs = parseRefs(options.images);
    const several = platforms.length > 1;
    const plans = platforms.map(p => ({
        ...p,
        ...platformOutput(options, p.given, several)
    }));
    for (const plan of plans) {
        await checkOutputPath('output', several ? plan.output : options.output, options.perImage ? 'directory' : 'file');
        await checkOutputPath('images-json', options.imagesJson && !several ? options.imagesJson : plan.imagesJson, 'file');
    }
    const run = limiter(options.concurrency ?? 8);
    const client = new RegistryClient({ ...options.client, logger });
    const source = blobSources(client, logger);
    const ctx = { options, logger, client, source, run };
    const cacheDir = options.cacheDir ? (0,external_node_path_namespaceObject.resolve)(options.cacheDir) : undefined;
    const store = new BlobFetcher(cacheDir, client.retry);
    const resolver = new ManifestResolver({ client, store, logger, source, run });
    const done = [];
    try {
        // Manifests and configs for every image and platform; all failures reported together.
        const settled = await Promise.allSettled(plans.flatMap(plan => refs.map(({ given, ref }) => resolver.resolve(given, ref, plan.want))));
        const failures = settled.flatMap(s => s.status === 'rejected' ? [describeError(s.reason)] : []);
        if (failures.length > 0)
            throw new Error([...new Set(failures)].join('\n'));
        const resolved = settled.map(s => s.value);
        for (const [i, plan] of plans.entries()) {
            const mine = resolved.slice(i * refs.length, (i + 1) * refs.length);
            done.push({ ...(await fetchPlatform(ctx, plan, mine, cacheDir)), plan });
        }
    }
    catch (err) {
        // A later platform failed: the earlier outputs of this run go too.
        for (const r of done) {
            for (const file of [...r.archives, r.imagesJson])
                await (0,promises_namespaceObject.rm)(file, { force: true });
        }
        throw err;
    }
    finally {
        await store.cleanup();
    }
    return combine(options, done, store.stats, client.rateLimits());
}
function combine(options, done, 
/** Configs (and manifests) fetched while resolving. */
resolving, rateLimits) {
    const first = done[0];
    if (!first)
        throw new Error('no platform given');
    const sum = (f) => done.reduce((n, r) => n + f(r), 0);
    const stat = (key) => sum(r => r.stats[key]) + resolving[key];
    return {
        output: done.length > 1 ? (0,external_node_path_namespaceObject.resolve)(options.output) : first.output,
        archives: done.flatMap(r => r.archives),
        imagesJson: first.imagesJson,
        images: done.flatMap(r => r.images),
        bytes: sum(r => r.bytes),
        uniqueBlobBytes: sum(r => r.uniqueBlobBytes),
        stats: {
            bytesFetched: stat('bytesFetched'),
            requests: stat('requests'),
            reused: stat('reused'),
            fetched: stat('fetched')
        },
        platforms: done.map(r => ({
            platform: r.plan.given,
            output: r.output,
            imagesJson: r.imagesJson,
            archives: r.archives
        })),
        rateLimits
    };
}
/** Each unique blob once, with every archive place that wants it. */
function planJobs(resolved, archiveOf) {
    const jobs = new Map();
    for (const r of resolved) {
        const file = archiveOf.get(r);
        if (!file)
            continue;
        const blobs = [
            [r.manifest, r.manifestBytes],
            [r.config, r.configBytes],
            ...r.layers.map((l) => [l, undefined])
        ];
        for (const [desc, bytes] of blobs) {
            const job = jobs.get(desc.digest) ?? {
                image: r,
                desc,
                ...(bytes ? { bytes } : {}),
                targets: []
            };
            if (!job.targets.some(t => t.handle === file.handle)) {
                job.targets.push({ handle: file.handle, offset: file.slot(desc.digest) });
            }
            jobs.set(desc.digest, job);
        }
    }
    // Largest first: the long transfers start early and the run ends evenly.
    return [...jobs.values()].sort((a, b) => b.desc.size - a.desc.size);
}
/** Plans the archive(s) of one platform: every blob gets its place before a byte is fetched. */
async function createArchives(ctx, plan, resolved, archives) {
    const mtime = ctx.options.mtime ?? archiveMtime();
    const archiveOf = new Map();
    if (ctx.options.perImage) {
        await (0,promises_namespaceObject.mkdir)(plan.output, { recursive: true });
        for (const r of resolved) {
            const file = await ArchiveFile.create((0,external_node_path_namespaceObject.join)(plan.output, archiveFileName(r.ref)), [toArchive(r)], mtime);
            archives.push(file);
            archiveOf.set(r, file);
        }
    }
    else {
        await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.dirname)(plan.output), { recursive: true });
        const file = await ArchiveFile.create(plan.output, resolved.map(toArchive), mtime);
        archives.push(file);
        for (const r of resolved)
            archiveOf.set(r, file);
    }
    return archiveOf;
}
/** One platform: plan, fetch every blob into place, finish the archive(s), write images.json. */
async function fetchPlatform(ctx, plan, resolved, cacheDir) {
    let fetched = 0;
    let total = 0;
    const fetcher = new BlobFetcher(cacheDir, ctx.client.retry, n => {
        fetched += n;
        ctx.options.onProgress?.(fetched, total);
    });
    const archives = [];
    try {
        const archiveOf = await createArchives(ctx, plan, resolved, archives);
        const jobs = planJobs(resolved, archiveOf);
        total = jobs.filter(j => !j.bytes).reduce((n, j) => n + j.desc.size, 0);
        await Promise.all(jobs.map(job => ctx.run(() => job.bytes
            ? fetcher.deliverBytes(job.desc, job.bytes, job.targets)
            : fetcher.deliver(job.desc, job.targets, ctx.source(job.image.ref, job.image.endpoint, job.desc.digest), `image "${job.image.given}"`))));
        let bytes = 0;
        for (const file of archives)
            bytes += await file.finish();
        archives.length = 0;
        const images = resolved.map(r => report(r, archiveOf.get(r)?.target ?? plan.output));
        await (0,promises_namespaceObject.mkdir)((0,external_node_path_namespaceObject.dirname)(plan.imagesJson), { recursive: true });
        const tempJson = temporaryPath(plan.imagesJson);
        await (0,promises_namespaceObject.writeFile)(tempJson, `${JSON.stringify(images, null, 2)}\n`);
        await (0,promises_namespaceObject.rename)(tempJson, plan.imagesJson);
        return {
            output: plan.output,
            archives: [...new Set(images.map(i => i.archive))],
            imagesJson: plan.imagesJson,
            images,
            bytes,
            uniqueBlobBytes: jobs.reduce((n, j) => n + j.desc.size, 0),
            stats: { ...fetcher.stats },
            platforms: [],
            rateLimits: []
        };
    }
    finally {
        await Promise.all(archives.map(a => a.abort()));
        await fetcher.cleanup();
    }
}
function report(r, archive) {
    return {
        reference: r.given,
        name: toArchive(r).name,
        platform: formatPlatform(r.platform),
        indexDigest: r.indexDigest ?? null,
        manifestDigest: r.manifest.digest,
        configDigest: r.config.digest,
        size: [r.manifest, r.config, ...r.layers].reduce((n, b) => n + b.size, 0),
        layers: r.layers.length,
        archive,
        verifiedBy: r.verifiedBy
    };
}
function toArchive(r) {
    return {
        name: formatReference({
            registry: r.ref.registry,
            repository: r.ref.repository,
            ...(r.ref.tag ? { tag: r.ref.tag } : { digest: r.ref.digest })
        }),
        ...(r.ref.tag ? { tag: r.ref.tag } : {}),
        platform: r.platform,
        manifest: r.manifest,
        config: r.config,
        layers: r.layers,
        ...(r.indexDigest ? { indexDigest: r.indexDigest } : {}),
        // skopeo's and umoci's OCI transports skip Docker-typed entries: store an OCI twin too.
        ...(r.manifest.mediaType === DOCKER_MANIFEST
            ? { ociTwin: ociTwinOfDocker(r.manifestBytes, `image "${r.given}"`) }
            : {})
    };
}
//# sourceMappingURL=fetch.js.map
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./packages/actions/lib/inputs.js
/** Input helpers shared by the actions: every error names the input and what it expects. */





/** The library's logger, on the runner's log. */
const actionsLogger = {
    info: m => {
        info(m);
    },
    warn: m => {
        warning(m);
    },
    debug: m => {
        core_debug(m);
    }
};
function formatBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}
/** A list input: newline- or comma-separated, blanks dropped. */
function getList(name) {
    return getInput(name)
        .split(/[\n,]/)
        .map(s => s.trim())
        .filter(Boolean);
}
function getInteger(name, fallback, min, max) {
    const raw = getInput(name);
    if (raw === '')
        return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`input ${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
}
/** A boolean input with a default when empty (core.getBooleanInput refuses an empty value). */
function getBoolean(name, fallback) {
    return getInput(name) === '' ? fallback : getBooleanInput(name);
}
/** A value given either inline or as a path to a file holding it. */
function inlineOrFile(name, value, looksInline) {
    if (looksInline(value))
        return { content: value, source: `input ${name}` };
    if (!(0,external_node_fs_namespaceObject.existsSync)(value)) {
        throw new Error(`input ${name}: no file at "${value}" (give a path, or the content itself)`);
    }
    return { content: (0,external_node_fs_namespaceObject.readFileSync)(value, 'utf8'), source: value };
}
/**
 * The credentials docker/login-action (or `docker login`) left in `$DOCKER_CONFIG/config.json`
 * or `~/.docker/config.json`: read first, so the inputs override them. Credential helpers
 * cannot run here; entries that use them are skipped (a debug line says so).
 */
function readDockerLogin(credentials) {
    const dir = process.env.DOCKER_CONFIG || (0,external_node_path_namespaceObject.join)(process.env.HOME ?? (0,external_node_os_namespaceObject.homedir)(), '.docker');
    const file = (0,external_node_path_namespaceObject.join)(dir, 'config.json');
    if (!(0,external_node_fs_namespaceObject.existsSync)(file))
        return;
    try {
        const content = (0,external_node_fs_namespaceObject.readFileSync)(file, 'utf8');
        for (const note of credentials.addDockerConfig(content, file))
            core_debug(note);
        info(`registry credentials: read ${file} (docker login)`);
    }
    catch (err) {
        warning(`ignoring ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
}
/** A proxy URL's password (HTTPS_PROXY=http://user:password@host:port) is masked too. */
function maskProxySecrets(env = process.env) {
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) {
        const setting = env[name]?.trim();
        if (!setting)
            continue;
        let password;
        try {
            password = proxyUrl(setting).password;
        }
        catch {
            continue; // proxy.ts says what is wrong with it when it is used
        }
        if (!password)
            continue;
        core_setSecret(password);
        try {
            core_setSecret(decodeURIComponent(password));
        }
        catch {
            // not percent-encoded as a URL must be: proxy.ts refuses it when it is used
        }
    }
}
/**
 * The registry inputs (username/password for `registry`, registry-auth, mirrors,
 * insecure-registries) as client options. Every secret is masked.
 */
function readRegistryInputs() {
    const credentials = new CredentialStore();
    readDockerLogin(credentials);
    const username = getInput('username');
    const password = getInput('password');
    if (password)
        core_setSecret(password);
    if (username || password) {
        if (!username || !password)
            throw new Error('inputs username and password go together');
        credentials.set(getInput('registry') || 'docker.io', { username, password });
    }
    const auth = getInput('registry-auth');
    if (auth) {
        const { content, source } = inlineOrFile('registry-auth', auth, v => v.trim().startsWith('{'));
        if (source === 'input registry-auth')
            core_setSecret(content);
        for (const note of credentials.addDockerConfig(content, source))
            warning(note);
    }
    for (const secret of credentials.secrets())
        core_setSecret(secret);
    const mirrors = parseMirrors(getInput('mirrors'));
    // A mirror URL's userinfo (https://user:pass@host) is a secret too; the client strips it.
    for (const url of [...mirrors.values()].flat()) {
        const password = splitUserinfo(url).credential?.password;
        if (password)
            core_setSecret(password);
        if (password)
            core_setSecret(encodeURIComponent(password));
    }
    maskProxySecrets();
    return {
        credentials,
        mirrors,
        insecure: getList('insecure-registries')
    };
}
//# sourceMappingURL=inputs.js.map
;// CONCATENATED MODULE: ./packages/actions/lib/fetch-images/main.js
/**
 * The fetch-images action: inputs -> fetchImages() -> outputs, log groups, a job summary.
 * Daemonless: it talks to the registries directly, for one platform or several (one
 * archive each, every index fetched once).
 */




/** Reads the images and images-file inputs into one list. */
function readImages() {
    const inline = getInput('images');
    const file = getInput('images-file');
    let text = inline;
    if (file) {
        if (!(0,external_node_fs_namespaceObject.existsSync)(file))
            throw new Error(`input images-file: no file at "${file}"`);
        text += `\n${(0,external_node_fs_namespaceObject.readFileSync)(file, 'utf8')}`;
    }
    const images = parseImageList(text);
    if (images.length === 0) {
        throw new Error('no images given: set the images input, or images-file (one image per line)');
    }
    return images;
}
/** `true` when every blob came from the cache, `partial` when some did, `false` when none. */
function cacheHit(stats) {
    if (stats.reused === 0)
        return 'false';
    return stats.fetched === 0 ? 'true' : 'partial';
}
async function writeSummary(result, platform) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const limits = result.rateLimits.map(describeRateLimit);
    await summary
        .addHeading('kedge fetch-images', 3)
        .addRaw(`${result.images.length} images for ${platform}: ${formatBytes(result.bytes)} archived, ${formatBytes(result.stats.bytesFetched)} fetched, ${result.stats.reused} blobs from cache, ${result.stats.fetched} fetched.`, true)
        .addRaw(limits.length ? `Registry pull limits after this run: ${limits.join('; ')}.` : '', true)
        .addTable([
        [
            { data: 'image', header: true },
            { data: 'platform', header: true },
            { data: 'manifest digest', header: true },
            { data: 'size', header: true }
        ],
        ...result.images.map(i => [
            i.name,
            i.platform,
            `<code>${i.manifestDigest}</code>`,
            formatBytes(i.size)
        ])
    ])
        .write();
}
function setOutputs(result) {
    const several = result.platforms.length > 1;
    setOutput('archive', several ? result.platforms.map(p => p.output).join('\n') : result.output);
    setOutput('images-json', several ? result.platforms.map(p => p.imagesJson).join('\n') : result.imagesJson);
    setOutput('archives', JSON.stringify(Object.fromEntries(result.platforms.map(p => [p.platform, p.output]))));
    setOutput('count', result.images.length);
    setOutput('bytes', result.bytes);
    setOutput('cache-hit', cacheHit(result.stats));
    setOutput('blobs-reused', result.stats.reused);
    setOutput('blobs-fetched', result.stats.fetched);
}
async function run() {
    try {
        const images = readImages();
        const platform = getInput('platform') || 'linux/amd64';
        const perImage = getBoolean('per-image', false);
        const output = getInput('output') || (perImage ? 'images' : 'images.tar');
        const cacheDir = getInput('cache-dir');
        const imagesJson = getInput('images-json');
        let lastReport = 0;
        const result = await fetchImages({
            images,
            platform,
            output,
            perImage,
            ...(cacheDir ? { cacheDir } : {}),
            ...(imagesJson ? { imagesJson } : {}),
            concurrency: getInteger('concurrency', 8, 1, 64),
            client: {
                ...readRegistryInputs(),
                retry: { budgetMs: getInteger('max-wait', 900, 0, 6 * 3600) * 1000 }
            },
            logger: actionsLogger,
            onProgress: (fetched, total) => {
                const now = Date.now();
                if (now - lastReport > 5000 || fetched === total) {
                    lastReport = now;
                    info(`fetched ${formatBytes(fetched)} of ${formatBytes(total)}`);
                }
            }
        });
        for (const image of result.images) {
            startGroup(`${image.name} (${image.platform})`);
            info(`reference: ${image.reference}`);
            if (image.indexDigest)
                info(`index:     ${image.indexDigest}`);
            info(`manifest:  ${image.manifestDigest}`);
            info(`config:    ${image.configDigest}`);
            info(`layers:    ${image.layers}, ${formatBytes(image.size)} compressed`);
            info(`archive:   ${image.archive}`);
            endGroup();
        }
        info(`${result.images.length} images, ${formatBytes(result.bytes)} in ${result.archives.length} archive(s); fetched ${formatBytes(result.stats.bytesFetched)} in ${result.stats.requests} blob requests, ${result.stats.reused} blobs from the cache`);
        for (const limit of result.rateLimits)
            info(`pull limit: ${describeRateLimit(limit)}`);
        setOutputs(result);
        await writeSummary(result, platform);
    }
    catch (error) {
        setFailed(error instanceof Error ? error.message : String(error));
    }
}
//# sourceMappingURL=main.js.map

/***/ }),

/***/ 623:
/***/ ((__unused_webpack___webpack_module__, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

/* harmony import */ var node_v8__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(877);
/**
 * V8 settings for the fetch-images process, set before anything runs hot. An action cannot
 * pass node flags, so they are set at run time; a node that ignores one runs as it would
 * have. Measured with the scale bench's 1 GiB set (README, "Speed and memory"):
 *  - --no-opt: a fetch spends its time in native code (socket reads, sha256, file writes),
 *    so V8's optimizing compiler (TurboFan) buys little here, and its compile jobs cost
 *    ~6 MiB of resident memory: 70 MiB instead of 76 on node 24 (64 -> 57 on node 20) for
 *    ~3% more time.
 *  - --semi-space-growth-factor=1: the young generation keeps its first size instead of
 *    doubling when the startup's allocations survive; what a download leaves behind is
 *    scavenged every 8 MiB anyway (young-gc.ts). 1.5 MiB less resident on node 24 (new
 *    space 2.0 MiB instead of 3.6 at the peak), no time measurably lost.
 */

(0,node_v8__WEBPACK_IMPORTED_MODULE_0__.setFlagsFromString)('--no-opt');
(0,node_v8__WEBPACK_IMPORTED_MODULE_0__.setFlagsFromString)('--semi-space-growth-factor=1');
//# sourceMappingURL=v8-flags.js.map

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
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
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
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(691);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
