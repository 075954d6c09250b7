/* Terminal facts: colour only on a terminal and never with NO_COLOR. */
#ifndef PARA_TERM_H
#define PARA_TERM_H

/* Whether output on fd may use colour. */
int term_color(int fd);

#endif
