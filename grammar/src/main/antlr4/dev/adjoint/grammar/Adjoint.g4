// The grammar of the Adjoint language, v0 (shared/design/LANGUAGE.md).
//
// It has no actions and no semantic predicates: it only says what parses. The compiler's
// AstBuilder (dev.adjoint.compiler.frontend.parse) walks the parse tree with the generated
// visitor, builds the AST and makes the checks a grammar cannot say well (literal ranges,
// ASCII names, argument order, where '...' may stand, which names are reductions).
//
// Decisions where LANGUAGE.md is silent:
// - Newlines are not significant: whitespace and comments go to the hidden channel.
//   Statements, model members and declarations each start with a keyword
//   (let return | param layer fn | import dim const fn model), so
//   `let a = b` followed by a line `(c)` is simply the call `b(c)`: no expression
//   statement exists that it could be confused with. A ';' may follow any of them.
// - Keywords: import dim const fn model param layer let return true false inf donate. They cannot
//   be used as names. Element types (f32 f64 bf16 f16 i32 bool int float) are ordinary names.
// - Floats: `2.5`, `1e-9`, `2.5e+3`, `.5` and `inf` (a keyword). `1.` is not a float (digits
//   are needed after the point), so a number token never ends in '.', and never swallows
//   `..` or `...`; the parser explains `1.` to the user.
// - Strings (only in `import`) have no escapes and end on the same line.
// - Block comments do not nest; an unterminated one is an error (an error token below).
// - No trailing ',' in lists of any kind.
// - Every decision takes one token of lookahead (LL(1)), apart from the operator-precedence
//   loop of `expr`. ANTLR reports an error at the token where its lookahead failed but
//   with the expected set of where the decision began; with one token they are the same, so
//   messages name what is really missing. This is why `let` statements share one rule, why
//   a keyword argument is `expr ('=' expr)?` (the builder checks the name), why there are
//   no trailing commas, and why reductions are postfix chains (below).
// - A reduction `sum[i, j](body)` is, grammatically, an index followed by a call, and the
//   builder turns that shape into a reduction: a rule of its own would have to look past
//   the closing ']' to tell `sum[i](x)` from `sum[i]`.
// - Comparisons parse left-associatively; the builder rejects a chain `a < b < c`.
grammar Adjoint;

// ---------------------------------------------------------------------------------------
// Declarations

program
    : (declaration ';'?)* EOF
    ;

// The one entry used by tests and tools that parse a single expression.
expressionOnly
    : expr EOF
    ;

declaration
    : importDecl
    | dimDecl
    | constDecl
    | fnDecl
    | modelDecl
    ;

importDecl
    : IMPORT STRING
    ;

dimDecl
    : DIM ID (',' ID)*
    ;

constDecl
    : CONST constDef (',' constDef)*
    ;

constDef
    : ID '=' expr
    ;

fnDecl
    : FN ID '(' parameters? ')' ('->' type)? fnBody
    ;

parameters
    : parameter (',' parameter)*
    ;

// `donate` before an entry argument's type: the caller's buffer may be overwritten by the result
// (docs/language.md, "In-place state").
parameter
    : ID ':' DONATE? type ('=' expr)?
    ;

fnBody
    : block         # blockBody
    | '=' expr      # exprBody
    ;

modelDecl
    : MODEL ID ('(' (ID (',' ID)*)? ')')? '{' (modelMember ';'?)* '}'
    ;

modelMember
    : PARAM ID ':' type ('=' expr)?                                   # paramMember
    | LAYER ID ':' ID ('(' (expr (',' expr)*)? ')')? ('*' expr)?      # layerMember
    | fnDecl                                                          # fnMember
    ;

// ---------------------------------------------------------------------------------------
// Types

type
    : ID ('[' dim (',' dim)* ']')?        # tensorType
    | '(' type (',' type)+ ')'            # tupleType
    ;

// '...' may stand anywhere here so that the builder can say where it belongs.
dim
    : '...'     # ellipsisDim
    | dimExpr   # sizeDim
    ;

// Sizes are integer expressions of literals and names: consts, dims, shape variables.
dimExpr
    : dimExpr op=('*' | '/' | '%') dimExpr    # dimBinary
    | dimExpr op=('+' | '-') dimExpr          # dimBinary
    | '(' dimExpr ')'                         # dimParens
    | INT                                     # dimInt
    | ID                                      # dimName
    ;

// ---------------------------------------------------------------------------------------
// Statements

block
    : '{' (statement ';'?)* '}'
    ;

// `let x = e`, `let x: T = e`, or index notation `let y[i, j: T] = e`.
statement
    : LET ID (indexVars | ':' type)? '=' expr     # letStmt
    | RETURN expr                                 # returnStmt
    ;

indexVars
    : '[' indexVar (',' indexVar)* ']'
    ;

// `i`, or `i: T` for an index whose range cannot be inferred from its uses.
indexVar
    : ID (':' dimExpr)?
    ;

// ---------------------------------------------------------------------------------------
// Expressions, tightest first (ANTLR gives earlier alternatives higher precedence):
// postfix, power (right-associative), unary, multiplicative, additive, comparison.
// A prefix operator's operand is parsed at the prefix level, so `-x ^ 2` is `-(x ^ 2)`,
// and the right operand of '^' may itself start with a prefix: `2 ^ -1` is `2 ^ (-1)`.

expr
    : INT                                                  # intLiteral
    | FLOAT                                                # floatLiteral
    | INF                                                  # floatLiteral
    | (TRUE | FALSE)                                       # boolLiteral
    | ID                                                   # nameExpr
    | '(' expr (',' expr)* ')'                             # parenOrTuple
    | '[' (listItem (',' listItem)*)? ']'                  # listLiteral
    | expr '(' arguments? ')'                              # callExpr
    | expr '.' ID                                          # memberExpr
    | expr '[' subscript (',' subscript)* ']'              # indexExpr
    | <assoc=right> expr op='^' expr                       # binaryExpr
    | op=('-' | '!') expr                                  # unaryExpr
    | expr op=('*' | '/' | '%' | '@') expr                 # binaryExpr
    | expr op=('+' | '-') expr                             # binaryExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr # binaryExpr
    ;

// A list item may be '...' (a shape list's leading axes: reshape(x, [..., T, 2])); the
// elaborator says where that is allowed.
listItem
    : expr
    | '...'
    ;

arguments
    : argument (',' argument)*
    ;

// `x`, or a keyword argument `axis=-1`, whose left side the builder checks is a name.
// Keyword arguments come after positional ones; the builder checks that too.
argument
    : expr ('=' expr)?
    ;

// `i`, `i + 1`, `0`, or a slice `lo:hi` with either bound optional.
subscript
    : expr (':' expr?)?     # atOrSlice
    | ':' expr?             # sliceFromStart
    ;

// ---------------------------------------------------------------------------------------
// Tokens

IMPORT : 'import' ;
DIM    : 'dim' ;
CONST  : 'const' ;
FN     : 'fn' ;
MODEL  : 'model' ;
PARAM  : 'param' ;
LAYER  : 'layer' ;
LET    : 'let' ;
RETURN : 'return' ;
TRUE   : 'true' ;
FALSE  : 'false' ;
INF    : 'inf' ;
DONATE : 'donate' ;

LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACKET : '[' ;
RBRACKET : ']' ;
LBRACE   : '{' ;
RBRACE   : '}' ;
COMMA    : ',' ;
COLON    : ':' ;
SEMI     : ';' ;
ARROW    : '->' ;
ELLIPSIS : '...' ;
DOT      : '.' ;
ASSIGN   : '=' ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
SLASH    : '/' ;
PERCENT  : '%' ;
AT       : '@' ;
CARET    : '^' ;
BANG     : '!' ;
LT       : '<' ;
LE       : '<=' ;
GT       : '>' ;
GE       : '>=' ;
EQ       : '==' ;
NE       : '!=' ;

INT : DIGITS ;

FLOAT
    : DIGITS '.' DIGITS EXPONENT?
    | DIGITS EXPONENT
    | '.' DIGITS EXPONENT?
    ;

// Letters and digits of any script, so that a non-ASCII name lexes as one name and the
// builder can report it by name instead of as a stray character.
ID : [\p{L}_] [\p{L}\p{N}_]* ;

STRING : '"' ~["\r\n]* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
// A byte-order mark is whitespace, so files saved by editors that write one still parse.
WS            : [ \t\r\n\f\uFEFF]+ -> channel(HIDDEN) ;

// Error tokens: the lexer never fails, it hands these on and Parser reports them with a
// message of their own. A well-formed comment or string is longer, so it wins.
// Text with no '*/' in it, to the end of the file:
UNTERMINATED_BLOCK_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* -> channel(HIDDEN) ;
UNTERMINATED_STRING        : '"' ~["\r\n]* ;
ERROR_CHAR                 : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
